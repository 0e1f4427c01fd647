"""Stored pictures (the night's map): stored once per content, file id kept, pruned only when no
unfinished outbox row names them; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from storage import crud
from storage.crud import media as crud_media
from storage.crud import outbox as crud_outbox
from storage.db import session_scope
from storage.models import Event, Outbox, Post

T0 = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def test_a_picture_is_stored_once_and_keeps_its_file_id(engine: Engine) -> None:
    key = crud_media.media_key("night:2026-11-29:uk", PNG)
    with session_scope(engine) as s:
        assert crud_media.put_media(s, key, PNG, now=T0) == key
        crud_media.put_media(s, key, PNG, now=T0)  # again: nothing new
    with session_scope(engine) as s:
        assert crud_media.get_media(s, key) == (PNG, None)
        assert crud_media.set_file_id(s, key, "photo-abc")
    with session_scope(engine, readonly=True) as s:
        assert crud_media.get_media(s, key) == (PNG, "photo-abc")
        assert crud_media.get_media(s, "night:none") is None
    assert crud_media.media_key("x", PNG) != crud_media.media_key("x", PNG + b"!")


def test_pruning_keeps_pictures_an_unsent_row_still_names(engine: Engine) -> None:
    with session_scope(engine) as s:
        crud.upsert_chat(s, 1, type="private")
        channel = crud.upsert_channel(s, "kpszsu", kind="air_force")
        assert channel.id is not None
        post = Post(channel_id=channel.id, message_id=1, published_at=T0, text="x", content_hash="x")  # fmt: skip
        s.add(post)
        s.flush()
        assert post.id is not None
        event = Event(post_id=post.id, kind="drones", occurred_at=T0, regions=["UA"])
        s.add(event)
        s.flush()
        assert event.id is not None
        wanted = crud_media.put_media(s, "night:a", PNG, now=T0)
        crud_media.put_media(s, "night:b", PNG, now=T0)
        crud_media.put_media(s, "night:c", PNG, now=T0 + timedelta(days=3))
        [row] = crud_outbox.enqueue(s, event.id, [1], now=T0)
        found = s.get(Outbox, row)
        assert found is not None
        found.media_key = wanted
    with session_scope(engine) as s:
        assert crud_media.prune_media(s, T0 + timedelta(days=2)) == 1  # b: old, unwanted
    with session_scope(engine, readonly=True) as s:
        assert crud_media.get_media(s, "night:a") is not None
        assert crud_media.get_media(s, "night:b") is None
        assert crud_media.get_media(s, "night:c") is not None
