"""Only trusted sources speak, and an unreadable source is stale, never "all quiet".

Reproduces the attacks of the hostile-input review against the real Application, the real
pipeline, the outbox and the dispatcher, with the Bot API and t.me stand-ins on the far side:
a stranger adds the bot to a channel of their own and posts an all-clear; a t.me page turns
into a login wall or an empty shell while the channel keeps posting.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.alerting import Dispatcher, OutboxSink, RateLimits, make_bot
from bot.latest import sources_verdict
from bot.sources.telegram_web import TelegramWebSource
from bot.standins.tme_server import TmeStandin
from bot.watch import SourceService
from storage import crud
from storage.db import session_scope
from storage.models import Event, Outbox, Post
from tests.support.kit import CHANNELS, Bot, running_bot

ADMIN = 700
READER = 900  # subscribed to Kyiv city, Kyiv oblast and Chernihiv oblast
FAST = RateLimits(global_per_s=0, per_chat_per_s=50, per_chat_burst=50)
FAKE_ALL_CLEAR = "🟢 Відбій тривоги в м. Київ та Київська область. Можна виходити з укриттів."
FAKE_THREAT = "🔴 Повітряна тривога в Чернігівська область! Ракети курсом на Чернігів."
REAL_DRONES = "Група ударних БпЛА на півночі Чернігівщини, курсом на Ніжин."


@pytest.fixture
async def bot(tmp_path: Path, engine: Engine) -> AsyncIterator[Bot]:
    """The real bot whose pipeline stages alerts into the outbox, and a running dispatcher."""
    async with running_bot(tmp_path, engine) as b:
        b.svc.settings.admin_ids = [ADMIN]
        b.clock.now = datetime.now(UTC)
        with session_scope(b.engine) as s:
            crud.upsert_chat(s, READER, type="private", language="uk")
            for region in ("UA-30", "UA-32", "UA-74"):
                crud.subscribe(s, READER, region)
        sender = make_bot(b.tg.token, b.tg.base_url, base_file_url=b.tg.base_file_url, pool=4)
        async with sender:
            dispatcher = Dispatcher(b.engine, sender, limits=FAST, workers=2, poll_s=0.05)
            b.svc.pipeline.sink = OutboxSink(dispatcher.wake)
            await dispatcher.start()
            try:
                yield b
            finally:
                await dispatcher.stop()


def _posts_of(s: Session, channel: str) -> list[Post]:
    row = crud.get_channel_by_username(s, channel)
    if row is None:
        return []
    return list(s.exec(select(Post).where(col(Post.channel_id) == row.id)).all())


def _events_of(bot: Bot, channel: str) -> list[Event]:
    with session_scope(bot.engine, readonly=True) as s:
        events = [e for p in _posts_of(s, channel) for e in crud.events_for_post(s, p.id or 0)]
        s.expunge_all()
        return events


def _post_count(bot: Bot, channel: str) -> int:
    with session_scope(bot.engine, readonly=True) as s:
        return len(_posts_of(s, channel))


async def _settled(bot: Bot) -> None:
    def done() -> bool:
        with session_scope(bot.engine, readonly=True) as s:
            return all(r in ("sent", "dead") for r in s.exec(select(Outbox.status)).all())

    await bot.tg.async_wait_for(done, 5)


async def test_strangers_channel_post_reaches_no_chat(bot: Bot) -> None:
    bot.tg.channel_post(-1009, "kyiv_evil_news", FAKE_ALL_CLEAR, 1)
    bot.tg.channel_post(-1009, "kyiv_evil_news", FAKE_THREAT, 2)
    await bot.tg.async_wait_for(lambda: _post_count(bot, "kyiv_evil_news") == 2)
    # A registered, confirmed channel still alerts: it is the sentinel that delivery runs.
    bot.tg.channel_post(-1001000000074, "chernihivskaoda", REAL_DRONES, 50)
    (msg,) = await bot.tg.wait_for_messages(READER, 1)
    await _settled(bot)
    await asyncio.sleep(0.2)
    assert "курсом на Чернігівщину" in msg.text and "Ніжин" in msg.text
    assert [m.text for m in bot.tg.sent(READER)] == [msg.text]  # nothing from the stranger
    assert _events_of(bot, "kyiv_evil_news") == []  # stored, never parsed
    with session_scope(bot.engine, readonly=True) as s:
        channel = crud.get_channel_by_username(s, "kyiv_evil_news")
        assert channel is not None and not channel.trusted and not channel.enabled
    # Nor does it enter /latest or /status.
    [latest] = await bot.say(READER, "/latest Київ")
    assert "Відбій" not in latest.text and "kyiv_evil_news" not in latest.source_text
    [status] = await bot.say(READER, "/status")
    assert "Чернігів" not in status.text


async def test_unconfirmed_registry_channel_is_stored_but_silent(bot: Bot) -> None:
    with session_scope(bot.engine) as s:
        crud.upsert_channel(s, "maybe_oda", kind="governor", default_region="UA-74", enabled=True)
    bot.tg.channel_post(-1010, "maybe_oda", FAKE_THREAT, 3)
    await bot.tg.async_wait_for(lambda: _post_count(bot, "maybe_oda") == 1)
    await _settled(bot)
    assert bot.tg.sent(READER) == [] and _events_of(bot, "maybe_oda") == []


async def test_admin_lists_untrusted_channels_with_their_counts(bot: Bot) -> None:
    for i in range(3):
        bot.tg.channel_post(-1009, "kyiv_evil_news", f"{FAKE_ALL_CLEAR} #{i}", 10 + i)
    await bot.tg.async_wait_for(lambda: _post_count(bot, "kyiv_evil_news") == 3)
    [report] = await bot.say(ADMIN, "/admin", language_code="en")
    assert "Untrusted channels (1)" in report.text
    line = next(x for x in report.text.splitlines() if "@kyiv_evil_news" in x)
    assert "not registered or removed" in line and "3 posts" in line
    # Trusting it (the operator's ``sitrep channels add``) makes its next posts count.
    with session_scope(bot.engine) as s:
        crud.upsert_channel(s, "kyiv_evil_news", kind="news", enabled=True, confirmed=True)
    [report] = await bot.say(ADMIN, "/admin", language_code="en")
    assert "Untrusted" not in report.text


async def test_admins_forward_of_an_untrusted_channel_is_vouched_for(bot: Bot) -> None:
    bot.tg.forward_from_channel(ADMIN, ADMIN, -1011, "some_raion_news", 77, REAL_DRONES)
    (msg,) = await bot.tg.wait_for_messages(READER, 1)
    assert "курсом на Чернігівщину" in msg.text
    assert {e.kind for e in _events_of(bot, "some_raion_news")} == {"drones"}


# ---- unreadable pages ------------------------------------------------------------------------

LOGIN_WALL = (
    "<html><body><div class='tgme_page'>Please log in to view this channel</div></body></html>"
)


@pytest.mark.parametrize("body", ["", LOGIN_WALL])
async def test_unreadable_preview_makes_the_source_stale_everywhere(bot: Bot, body: str) -> None:
    with TmeStandin() as tme:
        for spec in CHANNELS:
            tme.add_channel(spec.username, spec.title)
            tme.add_post(spec.username, "Інформаційне повідомлення.")
        tme.misbehave("air_alert_ua", body=body)
        async with httpx.AsyncClient(timeout=2) as client:
            source = TelegramWebSource(
                client, base_url=tme.base_url, backoff_base=0.01, backoff_cap=0.02
            )
            service = SourceService(
                bot.engine, bot.svc.pipeline, source, interval_override=0.05, health_every=0
            )
            await service.start()

            def failing() -> bool:
                with session_scope(bot.engine, readonly=True) as s:
                    c = crud.get_channel_by_username(s, "air_alert_ua")
                    k = crud.get_channel_by_username(s, "kpszsu")
                    return bool(c and k and c.consecutive_errors >= 3 and k.last_poll_ok)

            try:
                await bot.tg.async_wait_for(failing, 10)
            finally:
                await service.stop()
    bot.clock.now = datetime.now(UTC)
    with session_scope(bot.engine, readonly=True) as s:
        health = crud.channel_health(s)
        alerts = crud.get_channel_by_username(s, "air_alert_ua")
        assert alerts is not None and "unreadable page" in (alerts.last_error or "")
    ok, detail = sources_verdict(health, bot.clock.now)
    assert not ok and "stale: air_alert_ua" in detail  # /healthz answers 503 naming it
    [status] = await bot.say(READER, "/status")  # the reader's chat speaks Ukrainian
    # it never gave a post: "no fresh data", not "stale since <start>"
    assert "Немає свіжих даних від джерел" in status.text
    assert status.text.splitlines()[-1].startswith("Тривог у наших даних немає, але дані застарілі")
    [latest] = await bot.say(READER, "/latest UA-74")
    assert "Немає свіжих даних від джерел" in latest.text
    [report] = await bot.say(ADMIN, "/admin", language_code="en")
    line = next(x for x in report.text.splitlines() if "@air_alert_ua" in x)
    assert line.startswith("❌") and "unreadable page" in line and line.endswith("⚠️ stale")


def test_sources_verdict_names_regional_stale_without_failing() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    fresh = crud.ChannelHealth("air_alert_ua", "alerts", None, 10, now, True, 0, None)
    broken = crud.ChannelHealth("sumyoda", "governor", "UA-59", 30, now, False, 5, None)
    assert sources_verdict([fresh, broken], now) == (True, "1 of 2 sources fresh; stale: sumyoda")
    assert sources_verdict([broken], now) == (False, "0 of 1 sources fresh; stale: sumyoda")
    assert (
        sources_verdict(
            [fresh, dataclasses.replace(fresh, username="kpszsu", consecutive_errors=3)], now
        )[0]
        is False
    )
