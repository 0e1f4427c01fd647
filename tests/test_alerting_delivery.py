"""Alert delivery end to end: pipeline → OutboxSink → outbox → Dispatcher → Bot API stand-in,
on SQLite and PostgreSQL, with the real PTB ``Bot``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.alerting import RateLimits
from bot.standins.botapi_server import BotApiStandin
from storage import crud
from storage.db import session_scope
from storage.models import Chat, Outbox
from tests.support.delivery import ALERT, ALL_CLEAR, DRONES, T0, post, running, seed, settle


@pytest.fixture
def tg() -> Iterator[BotApiStandin]:
    with BotApiStandin(limits=None) as standin:
        yield standin


async def test_subscribed_chat_gets_the_alert_once(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {1: ("UA-74",), 2: ("UA-46",)})
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 1, ALERT))
        (msg,) = await tg.wait_for_messages(1, 1)
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 1, ALERT))  # same post again
        await settle(engine, tg)
    assert msg.text.startswith("🔴 Повітряна тривога · Чернігівщина\n🕑 02:14")
    assert "https://t.me/air_alert_ua/1" in msg.source_text
    assert [m.text for m in tg.sent(1)] == [msg.text] and tg.sent(2) == []
    (call,) = tg.calls("sendMessage")
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}


async def test_topic_filter(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {1: ("UA-74",), 2: ("UA-74",)})
    with session_scope(engine) as s:
        crud.set_topics(s, 2, ["drones_missiles"])
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 1, ALERT))
        await pipeline.ingest("kpszsu", post("kpszsu", 5, DRONES))
        await tg.wait_for_messages(1, 2)
        await settle(engine, tg)
    (only,) = tg.sent(2)  # the drones, not the alert
    assert only.text.startswith("🛩️") and "Чернігівщина" in only.text


async def test_nationwide_reaches_every_subscribed_chat(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {1: ("UA-74",), 2: ("UA-46", "UA-12"), 3: ()})
    text = "У ніч на 24 листопада противник атакував 502 ударними БпЛА. Збито/подавлено 430 БпЛА."
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("kpszsu", post("kpszsu", 9, text))
        await tg.wait_for_messages(1, 1)
        await tg.wait_for_messages(2, 1)
        await settle(engine, tg)
    assert tg.sent(3) == []
    (msg,) = tg.sent(2)
    assert msg.text.startswith("📋 Підсумок атаки · Україна")  # a report, not a threat
    assert "БпЛА: запущено 502 · збито/подавлено 430" in msg.text and "загроз" not in msg.text


async def test_two_channels_one_message_then_all_clear(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {1: ("UA-74",), 2: ("UA-74",)})
    with session_scope(engine) as s:
        crud.upsert_chat(s, 2, type="private", language="en")
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 1, ALERT))
        await tg.wait_for_messages(1, 1)
        gov = "Чернігівщина: повітряна тривога! Всім пройти в укриття."
        await pipeline.ingest("chernihiv_oda", post("chernihiv_oda", 40, gov, T0 + timedelta(minutes=1)))  # fmt: skip
        await tg.async_wait_for(lambda: tg.sent(1)[0].history)
        end = T0 + timedelta(minutes=56)
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 2, ALL_CLEAR, end))
        await tg.wait_for_messages(1, 2)
        await tg.wait_for_messages(2, 2)
        await settle(engine, tg)
    alert, clear = tg.sent(1)
    assert len(alert.history) == 1  # edited once to add the second source, not resent
    assert "@air_alert_ua" in alert.text and "@chernihiv_oda" in alert.text
    assert clear.text.startswith("🟢 Відбій тривоги · Чернігівщина\nТривала 56 хв (02:14–03:10)")
    assert tg.sent(2)[1].text.startswith("🟢 All clear · Chernihiv region\nLasted 56 min")


async def test_edited_post_edits_the_live_message(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {1: ("UA-74",)})
    async with running(engine, tg) as (pipeline, _):
        before, after = ("Знеструмлено 12 тис. споживачів на Чернігівщині.",
                         "Знеструмлено 30 тис. споживачів на Чернігівщині.")  # fmt: skip
        await pipeline.ingest("chernihiv_oda", post("chernihiv_oda", 3, before))
        await tg.wait_for_messages(1, 1)
        await pipeline.ingest("chernihiv_oda", post("chernihiv_oda", 3, after, edited=True))
        await tg.async_wait_for(lambda: tg.sent(1)[0].history)
        await pipeline.ingest("chernihiv_oda", post("chernihiv_oda", 3, after, edited=True))
        await settle(engine, tg)
    (msg,) = tg.sent(1)
    assert "Без світла 30\u00a0000 споживачів" in msg.text
    assert "12\u00a0000" in msg.history[0]["text"] and "12\u00a0000 → 30\u00a0000" in msg.text
    assert tg.call_count("editMessageText") == 1


async def test_blocked_chat_is_deactivated(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {1: ("UA-74",), 2: ("UA-74",)})
    tg.block(2)
    async with running(engine, tg) as (pipeline, dispatcher):
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 1, ALERT))
        await tg.wait_for_messages(1, 1)
        await settle(engine, tg)
        await pipeline.ingest("kpszsu", post("kpszsu", 5, DRONES))
        await tg.wait_for_messages(1, 2)
        await settle(engine, tg)
    assert dispatcher.stats.deactivated == 1
    with session_scope(engine, readonly=True) as s:
        chat = crud.get_chat(s, 2)
        assert chat is not None and not chat.active
    assert tg.call_count("sendMessage", ok=False) == 1  # not retried, not tried again


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_is_retried_without_loss(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {1: ("UA-74",)})
    tg.set_limits(per_chat_per_s=1, per_chat_burst=1)
    texts = [
        ALERT,
        DRONES,
        "Внаслідок обстрілу Чернігова загинули 2 людини, 5 поранені.",
        "Знеструмлено 30 тис. споживачів на Чернігівщині.",
    ]
    async with running(engine, tg) as (pipeline, dispatcher):  # our limiter off: provoke 429s
        for i, text in enumerate(texts):
            await pipeline.ingest("chernihiv_oda", post("chernihiv_oda", 10 + i, text))
        await tg.wait_for_messages(1, 4, timeout=15)
        await settle(engine, tg, timeout=10)
    assert dispatcher.stats.rate_limited >= 1 and tg.rate_limited >= 1
    heads = sorted(m.text.split("\n")[0] for m in tg.sent(1))
    assert len(heads) == len(set(heads)) == 4  # alert, drones, shelling with its toll, power


@pytest.mark.parametrize(("zone", "shown"), [("UTC", "00:14"), ("Pacific/Auckland", "13:14")])
async def test_pushes_and_quiet_hours_follow_the_configured_zone(
    engine: Engine, tg: BotApiStandin, zone: str, shown: str
) -> None:
    """Quiet hours are read in SITREP_TIMEZONE: inside them a report is silent, a threat to the
    chat's own region still rings unless the chat chose "silent for all"; times are local."""
    tz = ZoneInfo(zone)
    seed(engine, {1: ("UA-74",), 2: ("UA-74",), 3: ("UA-74",)})
    local = datetime.now(tz)
    minute = local.hour * 60 + local.minute
    window = ((minute - 30) % 1440, (minute + 30) % 1440)  # never "now" in Kyiv for these zones
    with session_scope(engine) as s:
        for chat_id in (1, 3):
            chat = s.get(Chat, chat_id)
            assert chat is not None
            chat.quiet_start, chat.quiet_end = window
            chat.quiet_all = chat_id == 3
    async with running(engine, tg, tz=tz) as (pipeline, _):
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 1, ALERT))
        power = "Знеструмлено 30 тис. споживачів на Чернігівщині."
        await pipeline.ingest("chernihiv_oda", post("chernihiv_oda", 2, power))
        for chat_id in (1, 2, 3):
            await tg.wait_for_messages(chat_id, 2)
        await settle(engine, tg)
    silent = {
        (c.params["chat_id"], c.params["text"][:1]): c.params.get("disable_notification")
        for c in tg.calls("sendMessage")
    }
    assert silent == {
        (1, "🔴"): False, (1, "🔌"): True,  # threat rings, report silent
        (2, "🔴"): False, (2, "🔌"): False,  # no quiet hours
        (3, "🔴"): True, (3, "🔌"): True,  # silent for all
    }  # fmt: skip
    assert all(f"🕑 {shown}" in m.text for m in tg.sent(2))


async def test_deleted_message_is_sent_again_on_edit(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {1: ("UA-74",)})
    async with running(engine, tg) as (pipeline, _):
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 1, ALERT))
        (first,) = await tg.wait_for_messages(1, 1)
        bot = tg.ptb_bot()
        async with bot:
            await bot.delete_message(1, first.message_id)
        await pipeline.ingest("kpszsu", post("kpszsu", 2, "Чернігівщина — повітряна тривога!"))
        await tg.wait_for_messages(1, 1)
        await settle(engine, tg)
    (again,) = tg.sent(1)
    assert again.message_id != first.message_id and "@kpszsu" in again.text


async def test_stop_leaves_the_rest_pending(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {i: ("UA-74",) for i in range(1, 41)})
    slow = RateLimits(global_per_s=10, global_burst=1)
    async with running(engine, tg, slow) as (pipeline, _):
        await pipeline.ingest("air_alert_ua", post("air_alert_ua", 1, ALERT))
        await tg.async_wait_for(lambda: tg.call_count("sendMessage") >= 3)
    with session_scope(engine, readonly=True) as s:
        statuses = list(s.exec(select(Outbox.status)).all())
    sent = statuses.count("sent")
    assert sent == tg.call_count("sendMessage") and statuses.count("pending") == 40 - sent
