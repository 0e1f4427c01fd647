"""/admin end to end: the operator report and broadcasts through the outbox and the dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

import handlers.admin as admin_module
from bot.alerting import Dispatcher, RateLimits, make_bot
from handlers.callbacks import Broadcast
from storage import crud
from storage.db import session_scope
from storage.models import Chat, Outbox, Post
from tests.support.kit import NOW, Bot, running_bot

ADMIN = 700
STRANGER = 701
ALERT_74 = "🔴 09:14 Повітряна тривога в Чернігівська область."
FAST = RateLimits(global_per_s=0, per_chat_per_s=50, per_chat_burst=50)


@pytest.fixture
async def bot(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Bot]:
    """On SQLite and PostgreSQL: the report's queries and the broadcast's inserts are new."""
    monkeypatch.setattr(admin_module, "PROGRESS_EVERY_S", 0.05)
    async with running_bot(tmp_path, engine) as b:
        b.svc.settings.admin_ids = [ADMIN]
        yield b


def _chats(bot: Bot) -> None:
    """Five subscribers (one a group, one gone) and an admin with no chat row yet."""
    with session_scope(bot.engine) as s:
        for chat_id, kind, lang, regions in (
            (801, "private", "uk", ["UA-74", "UA-30"]),
            (802, "private", "en", ["UA-74"]),
            (803, "private", "uk", ["UA-74"]),
            (-804, "supergroup", "uk", ["UA-30"]),
            (805, "private", "uk", ["UA-63"]),
        ):
            crud.upsert_chat(s, chat_id, type=kind, language=lang)
            for region in regions:
                crud.subscribe(s, chat_id, region)
        crud.deactivate_chat(s, 805)


def _outbox(bot: Bot) -> None:
    """Outbox rows in three states for the report."""
    with session_scope(bot.engine) as s:
        post = s.exec(select(Post)).first()
        assert post is not None and post.id is not None
        [event] = crud.events_for_post(s, post.id)
        assert event.id is not None
        ids = crud.enqueue(s, event.id, [801, 802, 803, -804])
        crud.mark_dead(s, ids[0], "gone")
        crud.mark_retry(s, ids[1], NOW + timedelta(minutes=1), "timeout")
        crud.mark_sent(s, ids[2], 5)


async def test_stranger_is_refused_and_sees_nothing(bot: Bot) -> None:
    _chats(bot)
    [text] = await bot.say(STRANGER, "/admin")
    assert "не знаю такої команди" in text.text
    [text] = await bot.say(STRANGER, "/admin broadcast hello all", language_code="en")
    assert text.text == "🤷 I do not know this command. /help shows what I can do."
    assert not text.reply_markup
    # An admin's id in a group is not enough either: the report is for private chats.
    [text] = await bot.say(-804, "/admin", user_id=ADMIN, chat_type="supergroup")
    assert "не знаю такої команди" in text.text
    with session_scope(bot.engine, readonly=True) as s:
        assert crud.get_chat(s, STRANGER) is None  # /admin does not register anyone
        assert not s.exec(select(Outbox)).all()


async def test_report_matches_the_database(bot: Bot) -> None:
    _chats(bot)
    await bot.post("air_alert_ua", ALERT_74)
    _outbox(bot)
    bot.polls_ok(NOW - timedelta(minutes=1))
    with session_scope(bot.engine) as s:
        alerts = crud.get_channel_by_username(s, "air_alert_ua")
        assert alerts is not None and alerts.id is not None
        for _ in range(3):
            crud.record_poll(s, alerts.id, ok=False, error="HTTP 502 <Bad Gateway>", now=NOW)
        crud.upsert_channel(s, "ukrenergo", kind="energy", enabled=False)
    [text] = await bot.say(ADMIN, "/admin", language_code="en")
    body = text.text
    assert body.startswith("🛠 Sitrep — operator report (as of 10:00)")
    assert "Sources (4)" in body and "ukrenergo" not in body  # disabled: not watched
    assert "✅ @kpszsu — polled 09:59, last post never" in body
    assert "❌ @air_alert_ua — polled 10:00, 3 errors in a row: HTTP 502 <Bad Gateway>" in body
    line = next(x for x in body.splitlines() if "@air_alert_ua" in x)
    assert line.endswith("⚠️ stale")
    assert "stale" not in next(x for x in body.splitlines() if "@kpszsu" in x)
    assert "Subscribers: 4 active chats, 1 of them groups" in body
    lines = body.splitlines()
    first, second = lines.index("• Chernihiv region — 3"), lines.index("• Kyiv city — 2")
    assert first < second and "Kharkiv" not in body  # the gone chat's region is not counted
    assert "Outbox: pending 1 · sending 0 · failed 1 · dead 1" in body
    assert "HTTP 502 &lt;Bad Gateway&gt;" in text.source_text  # escaped in the HTML sent


async def test_report_in_ukrainian_splits_long_reports(bot: Bot) -> None:
    with session_scope(bot.engine) as s:
        for i in range(120):
            crud.upsert_channel(s, f"channel_number_{i:03d}", kind="news")
    bot.tg.send_text(ADMIN, "/admin")
    msgs = await bot.tg.async_wait_for(
        lambda: (m := bot.tg.sent(ADMIN)) and "Черга" in m[-1].text and m
    )
    assert len(msgs) > 1
    assert msgs[0].text.startswith("🛠 Sitrep — звіт оператора")
    assert all(len(m.text) <= 4096 for m in msgs)
    assert "Джерела (125)" in msgs[0].text
    assert "⏳ @channel_number_000 — ще не опитано · ⚠️ застаріло" in msgs[0].text
    assert "Черга: очікують 0" in msgs[-1].text


async def _preview(bot: Bot, text: str) -> tuple[int, str, str]:
    [msg] = await bot.say(ADMIN, f"/admin broadcast {text}", language_code="en")
    buttons = [b for row in msg.reply_markup["inline_keyboard"] for b in row]
    ok, no = (b["callback_data"] for b in buttons)
    assert len(ok.encode()) <= 64 and Broadcast.unpack(ok).send and not Broadcast.unpack(no).send
    return msg.message_id, ok, no


async def test_broadcast_cancel_sends_nothing(bot: Bot) -> None:
    _chats(bot)
    message_id, ok, no = await _preview(bot, "Planned maintenance tonight")
    preview = await bot.message(ADMIN, message_id)
    assert "it will reach 4 active chats" in preview.text
    assert "Planned maintenance tonight" in preview.text
    await bot.tap(ADMIN, message_id, no, language_code="en")
    after = await bot.edited(ADMIN, message_id, "cancelled")
    assert after.text == "Broadcast cancelled."
    stale = bot.tg.tap(ADMIN, message_id, ok, language_code="en")  # confirm after cancel
    answer = await bot.tg.async_wait_for(
        lambda: bot.tg.callback_answer(stale["callback_query"]["id"])
    )
    assert answer["text"] == "This button is no longer valid."
    with session_scope(bot.engine, readonly=True) as s:
        assert not s.exec(select(Outbox)).all()
        assert crud.get_channel_by_username(s, "sitrep_admin") is None
    for chat_id in (801, 802, 803, -804):
        assert not bot.tg.sent(chat_id)


@asynccontextmanager
async def _dispatched(bot: Bot) -> AsyncIterator[Dispatcher]:
    tg = bot.tg
    dispatch_bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=4)
    async with dispatch_bot:
        dispatcher = Dispatcher(  # the bot's clock: rows expire by the time they were queued
            bot.engine, dispatch_bot, limits=FAST, workers=4, poll_s=0.05, clock=bot.clock
        )
        await dispatcher.start()
        try:
            yield dispatcher
        finally:
            await dispatcher.stop()


async def test_broadcast_confirm_reaches_every_active_chat_once(bot: Bot) -> None:
    _chats(bot)
    bot.tg.my_chat_member(803, "kicked", old_status="member")  # 803 blocks the bot
    await bot.tg.async_wait_for(lambda: not bot.chat(803).active)
    async with _dispatched(bot):
        message_id, ok, _no = await _preview(bot, "Update <b>tonight</b>:\nline two")
        assert "it will reach 3 active chats" in (await bot.message(ADMIN, message_id)).text
        await bot.tap(ADMIN, message_id, ok, language_code="en")
        after = await bot.edited(ADMIN, message_id, "queued")
        assert after.text == "📤 Broadcast queued for 3 chats. I will report when it is delivered."
        again = bot.tg.tap(ADMIN, message_id, ok, language_code="en")  # a double tap
        query_id = again["callback_query"]["id"]
        answer = await bot.tg.async_wait_for(lambda: bot.tg.callback_answer(query_id))
        assert answer["text"] == "This button is no longer valid."
        report = await bot.tg.async_wait_for(
            lambda: next((m for m in bot.tg.sent(ADMIN) if "finished" in m.text), None)
        )
        assert report.text == "✅ Broadcast finished: delivered to 3 of 3 chats, failed 0."
    for chat_id in (801, 802, -804):
        [msg] = bot.tg.sent(chat_id)  # exactly once
        assert msg.text == "📢 Sitrep\nUpdate <b>tonight</b>:\nline two"  # escaped, not bold
    assert not bot.tg.sent(803) and not bot.tg.sent(805)  # blocked, gone
    assert not any(c.params.get("chat_id") in (803, "803") for c in bot.tg.calls("sendMessage"))
    with session_scope(bot.engine, readonly=True) as s:
        rows = s.exec(select(Outbox.chat_id, Outbox.status)).all()
        assert sorted(rows) == [(-804, "sent"), (801, "sent"), (802, "sent")]
        channel = crud.get_channel_by_username(s, "sitrep_admin")
        assert channel is not None and not channel.enabled and channel.kind == "news"
        post = s.exec(select(Post).where(col(Post.channel_id) == channel.id)).one()
        assert post.parsed_at is not None  # never re-parsed into alerts
        assert [e.kind for e in crud.events_for_post(s, post.id or 0)] == ["broadcast"]


async def test_foreign_or_stale_confirm_does_nothing(bot: Bot) -> None:
    _chats(bot)
    message_id, ok, _no = await _preview(bot, "first")
    second_id, second_ok, _ = await _preview(bot, "second")
    for data, user in (
        (ok, ADMIN),
        (second_ok, STRANGER),
        (replace(Broadcast.unpack(ok), token="0" * 8).pack(), ADMIN),
    ):
        target = second_id if data != ok else message_id
        update = bot.tg.tap(ADMIN, target, data, user_id=user, language_code="en")
        query_id = update["callback_query"]["id"]
        answer = await bot.tg.async_wait_for(lambda q=query_id: bot.tg.callback_answer(q))
        assert answer["text"] == "This button is no longer valid."
    with session_scope(bot.engine, readonly=True) as s:
        assert not s.exec(select(Outbox)).all()
        assert not s.exec(select(Chat).where(col(Chat.id) == ADMIN)).all()
    # The current preview still works for the admin.
    await bot.tap(ADMIN, second_id, second_ok, language_code="en")
    after = await bot.edited(ADMIN, second_id, "queued")
    assert after.text.startswith("📤 Broadcast queued for 4 chats")
