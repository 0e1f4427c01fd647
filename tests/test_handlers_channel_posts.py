"""Posts that arrive through the Bot API (channel posts, edits, admins' forwards), end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage import crud
from storage.db import session_scope
from storage.models import Channel, Event, Post
from tests.support.kit import Bot, running_bot

ADMIN = 700
STRANGER = 701
ODA_ID = -1001000000074
NIZHYN = "Ворожі ударні БпЛА над Ніжином! Внаслідок атаки загинули двоє людей, ще п'ятеро поранені."
NIZHYN_EDIT = NIZHYN.replace("двоє", "троє")
NIGHT = (
    "У ніч на 24 листопада противник атакував 502 ударними БпЛА та 24 ракетами. Збито/подавлено "
    "430 БпЛА та 21 ракету. Зафіксовано влучання на 14 локаціях."
)


@pytest.fixture
async def bot(tmp_path: Path, engine: Engine) -> AsyncIterator[Bot]:
    async with running_bot(tmp_path, engine) as b:
        b.svc.settings.admin_ids = [ADMIN]
        yield b


def _post(bot: Bot, channel: str, message_id: int) -> tuple[Post, list[Event]] | None:
    with session_scope(bot.engine, readonly=True) as s:
        row = crud.get_channel_by_username(s, channel)
        post = crud.get_post(s, row.id, message_id) if row is not None and row.id else None
        if post is None or post.id is None:
            return None
        events = crud.events_for_post(s, post.id)
        s.expunge_all()
        return post, events


async def _stored(bot: Bot, channel: str, message_id: int, check: Any = None) -> Any:
    def ready() -> Any:
        found = _post(bot, channel, message_id)
        return found if found and (check is None or check(*found)) else None

    return await bot.tg.async_wait_for(ready)


def _counts(events: list[Event]) -> dict[str, dict[str, int]]:
    return {e.kind: e.counts for e in events}


async def test_channel_post_is_stored_and_parsed(bot: Bot) -> None:
    bot.tg.channel_post(ODA_ID, "chernihivskaoda", NIZHYN, 41)
    post, events = await _stored(bot, "chernihivskaoda", 41)
    assert post.text == NIZHYN and post.version == 1 and post.parsed_at is not None
    assert sorted(e.kind for e in events) == ["casualties", "drones"]
    assert _counts(events)["casualties"] == {"killed": 2, "injured": 5}
    assert all(e.regions == ["UA-74"] for e in events)
    with session_scope(bot.engine, readonly=True) as s:
        channel = crud.get_channel_by_username(s, "chernihivskaoda")
        assert channel is not None and channel.last_seen_id == 41


async def test_edited_channel_post_updates_events_in_place(bot: Bot) -> None:
    bot.tg.channel_post(ODA_ID, "chernihivskaoda", NIZHYN, 42)
    _, before = await _stored(bot, "chernihivskaoda", 42)
    bot.tg.channel_post(ODA_ID, "chernihivskaoda", NIZHYN_EDIT, 42, edited=True)
    post, after = await _stored(bot, "chernihivskaoda", 42, lambda p, _: p.version == 2)
    assert post.text == NIZHYN_EDIT and post.edited_at is not None
    assert {e.kind: e.id for e in after} == {e.kind: e.id for e in before}  # same rows
    assert _counts(after)["casualties"] == {"killed": 3, "injured": 5}
    bot.tg.channel_post(ODA_ID, "chernihivskaoda", NIZHYN_EDIT, 42, edited=True)  # again
    bot.tg.channel_post(ODA_ID, "chernihivskaoda", "Інформація уточнюється.", 43)  # sentinel
    await _stored(bot, "chernihivskaoda", 43)
    with session_scope(bot.engine, readonly=True) as s:
        posts = s.exec(select(Post).where(col(Post.message_id) == 42)).all()
        assert len(posts) == 1 and posts[0].version == 2
        assert len(s.exec(select(Event).where(col(Event.post_id) == posts[0].id)).all()) == 2


async def test_unregistered_channel_is_stored_but_not_parsed(bot: Bot) -> None:
    bot.tg.channel_post(-1002, None, NIZHYN, 5)  # a private channel: no username, ignored
    bot.tg.channel_post(-1003, "Some_New_Channel", NIZHYN, 7)
    post, events = await _stored(bot, "some_new_channel", 7)
    assert post.text == NIZHYN
    with session_scope(bot.engine, readonly=True) as s:
        channel = crud.get_channel_by_username(s, "some_new_channel")
        assert channel is not None and channel.kind == "news" and channel.default_region is None
        assert s.exec(select(Post).where(col(Post.message_id) == 5)).first() is None
        assert len(s.exec(select(Channel)).all()) == 6  # the five seeded + this one
    # Anyone can add the bot to a channel: an unregistered one's posts are kept, not parsed.
    assert events == [] and post.parsed_at is None and not channel.trusted


async def test_admins_forward_is_ingested_under_the_origin_channel(bot: Bot) -> None:
    bot.tg.forward_from_channel(ADMIN, ADMIN, -1004, "kpszsu", 555, NIGHT)
    post, events = await _stored(bot, "kpszsu", 555)
    assert post.forwarded_from == "kpszsu" and post.text == NIGHT
    counts = _counts(events)
    assert counts["drones"]["launched"] == 502 and counts["missiles"]["destroyed"] == 21
    # the admin hears back: taken, with how many events it gave
    (ack,) = await bot.tg.wait_for_messages(ADMIN, 1)
    assert ack.text.startswith("📥 Допис @kpszsu прийнято: нових подій — ")


async def test_strangers_forward_is_ignored(bot: Bot) -> None:
    bot.tg.forward_from_channel(STRANGER, STRANGER, -1004, "kpszsu", 556, NIGHT)
    bot.tg.forward_from_channel(ADMIN, ADMIN, -1004, "kpszsu", 557, NIGHT)  # sentinel
    await _stored(bot, "kpszsu", 557)
    assert _post(bot, "kpszsu", 556) is None
    assert not bot.tg.sent(STRANGER)


async def test_photo_post_keeps_a_media_marker_and_its_caption(bot: Bot) -> None:
    bot.tg.channel_post(ODA_ID, "chernihivskaoda", NIZHYN, 51, photo=True)
    bot.tg.channel_post(ODA_ID, "chernihivskaoda", "", 52, photo=True)  # no caption at all
    post, _ = await _stored(bot, "chernihivskaoda", 51)
    assert post.media == "photo" and post.text == NIZHYN
    bare, _ = await _stored(bot, "chernihivskaoda", 52)
    assert bare.media == "photo" and bare.text == ""
