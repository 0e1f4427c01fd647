"""Channels and posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import crud
from storage.db import session_scope
from storage.models import Post

T0 = datetime(2025, 11, 25, 8, 0, tzinfo=UTC)


def _channel(engine: Engine, username: str = "kpszsu") -> int:
    with session_scope(engine) as s:
        channel = crud.upsert_channel(s, username, kind="air_force", default_region="UA")
        assert channel.id is not None
        return channel.id


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("@KPSZSU", "kpszsu"),
        ("https://t.me/s/Dnipropetrovska_ODA/", "dnipropetrovska_oda"),
        (" t.me/ukrenergo ", "ukrenergo"),
    ],
)
def test_normalize_username(raw: str, norm: str) -> None:
    assert crud.normalize_username(raw) == norm


@pytest.mark.parametrize("bad", ["", "@ab", "not a name", "t.me/"])
def test_normalize_username_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        crud.normalize_username(bad)


def test_upsert_channel_and_lookup(engine: Engine) -> None:
    cid = _channel(engine, "@KPSZSU")
    with session_scope(engine) as s:
        again = crud.upsert_channel(s, "kpszsu", kind="air_force", title="ПС ЗСУ", confirmed=True)
        assert again.id == cid
        assert (again.title, again.confirmed, again.default_region) == ("ПС ЗСУ", True, "UA")
        crud.upsert_channel(s, "ukrzaliznytsia", kind="railway", enabled=False)
    with session_scope(engine, readonly=True) as s:
        found = crud.get_channel_by_username(s, "@KpSzSu")
        assert found is not None and found.id == cid and found.username == "kpszsu"
        assert [c.username for c in crud.list_channels(s)] == ["kpszsu", "ukrzaliznytsia"]
        assert [c.username for c in crud.list_channels(s, enabled_only=True)] == ["kpszsu"]
    with session_scope(engine) as s, pytest.raises(ValueError):
        crud.upsert_channel(s, "other", kind="tiktok")


def test_record_poll(engine: Engine) -> None:
    cid = _channel(engine)
    for i in range(3):
        with session_scope(engine) as s:
            crud.record_poll(
                s, cid, ok=False, error=TimeoutError("x" * 1000), now=T0 + timedelta(i)
            )
    with session_scope(engine, readonly=True) as s:
        ch = crud.get_channel_by_username(s, "kpszsu")
        assert ch is not None
        assert (ch.consecutive_errors, ch.last_poll_ok, ch.last_poll_at) == (
            3,
            False,
            T0 + timedelta(2),
        )
        assert ch.last_error is not None and ch.last_error.startswith("TimeoutError: xxx")
        assert len(ch.last_error) == 500
    with session_scope(engine) as s:
        crud.record_poll(s, cid, ok=True, last_post_at=T0, now=T0)
    with session_scope(engine, readonly=True) as s:
        ch = crud.get_channel_by_username(s, "kpszsu")
        assert ch is not None
        assert (ch.consecutive_errors, ch.last_poll_ok, ch.last_error, ch.last_post_at) == (
            0,
            True,
            None,
            T0,
        )


def test_advance_last_seen_id_is_monotonic(engine: Engine) -> None:
    cid = _channel(engine)
    with session_scope(engine) as s:
        assert crud.advance_last_seen_id(s, cid, 10)
        assert not crud.advance_last_seen_id(s, cid, 7)
        assert not crud.advance_last_seen_id(s, cid, 10)
        assert crud.advance_last_seen_id(s, cid, 2**40)
    with session_scope(engine, readonly=True) as s:
        ch = crud.get_channel_by_username(s, "kpszsu")
        assert ch is not None and ch.last_seen_id == 2**40


def test_upsert_post_new_unchanged_edited(engine: Engine) -> None:
    cid = _channel(engine)

    def upsert(s: Session, text: str, now: datetime) -> tuple[Post, crud.PostStatus]:
        return crud.upsert_post(
            s, channel_id=cid, message_id=101, published_at=T0, text=text, now=now
        )

    with session_scope(engine) as s:
        post, status = upsert(s, "Загроза БпЛА", T0)
        assert status == "new" and post.version == 1 and post.parsed_at is None
        assert post.content_hash == crud.content_hash("Загроза БпЛА")
        crud.mark_parsed(s, post.id or 0, now=T0)
    with session_scope(engine) as s:
        post, status = upsert(s, "Загроза БпЛА", T0 + timedelta(minutes=1))
        assert status == "unchanged" and post.version == 1 and post.parsed_at == T0
        assert post.fetched_at == T0 + timedelta(minutes=1)
    with session_scope(engine) as s:
        post, status = upsert(s, "Відбій загрози", T0 + timedelta(minutes=2))
        assert status == "edited" and post.version == 2
        assert post.edited_at == T0 + timedelta(minutes=2) and post.parsed_at is None
        assert post.text == "Відбій загрози"
    with session_scope(engine) as s:
        assert [p.message_id for p in crud.unparsed_posts(s)] == [101]
        assert s.exec(select(func.count()).select_from(Post)).one() == 1
        got = crud.get_post(s, cid, 101)
        assert got is not None and got.published_at == T0 and got.published_at.tzinfo is not None


def test_upsert_post_strips_nul(engine: Engine) -> None:
    cid = _channel(engine)
    with session_scope(engine) as s:
        post, _ = crud.upsert_post(s, channel_id=cid, message_id=1, text="a\x00b", published_at=T0)
        assert post.text == "ab"


def test_same_message_id_in_two_channels(engine: Engine) -> None:
    a, b = _channel(engine, "aaa"), _channel(engine, "bbb")
    with session_scope(engine) as s:
        assert (
            crud.upsert_post(s, channel_id=a, message_id=1, text="x", published_at=T0)[1] == "new"
        )
        assert (
            crud.upsert_post(s, channel_id=b, message_id=1, text="x", published_at=T0)[1] == "new"
        )


def test_deleting_channel_cascades(engine: Engine) -> None:
    from sqlalchemy import delete

    from storage.models import Channel

    cid = _channel(engine)
    with session_scope(engine) as s:
        crud.upsert_post(s, channel_id=cid, message_id=1, text="x", published_at=T0)
    with session_scope(engine) as s:
        s.execute(delete(Channel))
    with session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(Post)).one() == 0
