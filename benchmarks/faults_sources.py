"""Fault scenarios on the way in: preview pages turning to garbage or nothing, a stranger's
channel posting to the bot, alerts.in.ua entries turning unreadable.

What must hold: no false alert (nothing that no trusted source said), no false all-clear, the
source shown stale while it serves garbage, and the posts published meanwhile delivered once
the pages return.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fanout import seed
from faults_crash import WORKERS, chat_ids
from faults_kit import Row, fresh_database, sends, sitrep_run, stop, tally, wait_for
from sqlalchemy.engine import Engine

from bot.alerting import Dispatcher, OutboxSink, RateLimits, make_bot
from bot.latest import is_stale
from bot.pipeline import Pipeline
from bot.sources.alerts_in_ua import AlertsApiService
from bot.sources.telegram_web import TelegramWebSource
from bot.standins.alerts_api import AlertsApiStandin, alert
from bot.standins.botapi_server import BotApiStandin
from bot.standins.tme_server import TmeStandin
from bot.watch import SourceService
from storage import crud
from storage.db import session_scope

CHANNEL = "chernigivskaODA"
# Three reports of three towns (three incidents: three messages per chat).
POSTS = {
    "chernihiv": "Чернігів: внаслідок атаки без світла 30 тисяч споживачів.",
    "nizhyn": "Ворог обстріляв Ніжин, пошкоджено будинок.",
    "pryluky": "Внаслідок удару по Прилуках зруйновано склад, загинула 1 людина.",
}
# A page without the preview's structure that still carries alert words.
GARBAGE = ("<html><body><div class='x'>🔴 Повітряна тривога в Чернігівська область. "
           "Відбій тривоги. Ворог обстріляв Чернігів.</div></body></html>")  # fmt: skip
FAST = RateLimits(global_per_s=0, per_chat_per_s=50, per_chat_burst=50)


def town_of(text: str) -> str:
    low = text.lower()
    # the towns first: every message names the region too ("Чернігівщина", "Chernihiv")
    for key, stems in (("nizhyn", ("ніжин", "nizhyn")), ("pryluky", ("прилук", "pryluk")),
                       ("chernihiv", ("черніг", "chernihiv"))):  # fmt: skip
        if any(stem in low for stem in stems):
            return key
    return "other"


def _channel_stale(engine: Engine) -> bool:
    with session_scope(engine, readonly=True) as s:
        health = [c for c in crud.channel_health(s) if c.username.lower() == CHANNEL.lower()]
    return bool(health) and is_stale(health[0], datetime.now(UTC))


def garbage_pages(quick: bool) -> Row:
    """The channel's preview turns to garbage, then to an empty 200, then comes back."""
    n = 20
    phase_s = 6.0 if quick else 45.0
    db = fresh_database("garbage")
    seed(db.engine, n)

    async def run(tme: TmeStandin, tg: BotApiStandin) -> dict[str, Any]:
        bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=WORKERS)
        async with bot:
            dispatcher = Dispatcher(db.engine, bot, limits=FAST, poll_s=0.1)
            await dispatcher.start()
            pipeline = Pipeline(db.engine, OutboxSink(dispatcher.wake))
            backoff = {"backoff_base": 1.0, "backoff_cap": 3.0} if quick else {}
            source = TelegramWebSource(base_url=tme.base_url, **backoff)  # type: ignore[arg-type]
            service = SourceService(db.engine, pipeline, source, interval_override=1.0)
            await service.start()
            tme.add_post(CHANNEL, POSTS["chernihiv"], published_at=datetime.now(UTC))
            await _until(lambda: _delivered(tg, "chernihiv") >= n, 30)
            stale: dict[str, bool] = {}
            for phase, body, town in (("garbage", GARBAGE, "nizhyn"), ("empty", "", "pryluky")):
                tme.misbehave(CHANNEL, body=body)
                tme.add_post(CHANNEL, POSTS[town], published_at=datetime.now(UTC))
                await asyncio.sleep(phase_s)
                stale[phase] = await asyncio.to_thread(_channel_stale, db.engine)
            during = len(sends(tg))
            tme.misbehave(CHANNEL, body=None)
            back = time.time()
            await _until(lambda: _delivered(tg, "pryluky") >= n, 60 if quick else 200)
            await asyncio.sleep(1.0)
            fresh = not await asyncio.to_thread(_channel_stale, db.engine)
            await service.stop()
            await source.aclose()
            await dispatcher.stop()
            return {"back": back, "stale": stale, "fresh_after": fresh, "during": during}

    try:
        with TmeStandin() as tme, BotApiStandin(limits=None) as tg:
            tme.add_channel(CHANNEL)
            out = asyncio.run(run(tme, tg))
            calls = sends(tg)
    finally:
        db.drop()
    expected = [(c, town) for c in chat_ids(n) for town in POSTS]
    row = tally(calls, expected, town_of, Row("garbage and empty pages"))
    later = [c.time for c in calls if c.time >= out["back"]]
    row.recovered_s = round(min(later) - out["back"], 1) if later else None
    row.details = {
        "chats": n,
        "stale_on_garbage": out["stale"]["garbage"],
        "stale_on_empty": out["stale"]["empty"],
        "fresh_after": out["fresh_after"],
        "sent_while_broken": out["during"] - n,
    }
    return row


def _delivered(tg: BotApiStandin, town: str) -> int:
    return len(
        {int(c.params["chat_id"]) for c in sends(tg) if town_of(str(c.params["text"])) == town}
    )


async def _until(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return bool(predicate())


def strangers_channel(quick: bool) -> Row:
    """``sitrep run`` is made admin of a channel nobody registered; its alert-looking posts
    reach the bot as ``channel_post`` updates. A registered channel's post goes through."""
    n = 10
    db = fresh_database("stranger")
    seed(db.engine, n)
    try:
        with TmeStandin() as tme, BotApiStandin(limits=None) as tg:
            tme.add_channel(CHANNEL)
            proc = sitrep_run(db, tg, tme.base_url)
            try:
                wait_for(lambda: bool(tg.calls("getUpdates")), 60)
                alert_text = "🔴 Повітряна тривога в Чернігівська область. Ворог обстріляв Ніжин."
                for i in range(1, 4):
                    tg.channel_post(-100_999, "totally_official_news", alert_text, message_id=i)
                tg.channel_post(-100_123, CHANNEL, POSTS["chernihiv"], message_id=1)
                wait_for(lambda: _delivered(tg, "chernihiv") >= n, 60)
                time.sleep(1.0 if quick else 10.0)  # room for anything false to arrive
            finally:
                stop(proc)
            calls = sends(tg)
    finally:
        db.drop()
    row = tally(calls, [(c, "chernihiv") for c in chat_ids(n)], town_of, Row("stranger's channel"))
    row.details = {"chats": n, "stranger_posts": 3}
    return row


def malformed_alerts(quick: bool) -> Row:
    """An alert of alerts.in.ua, then its entry unreadable in every way the API has been seen
    to break (and unreadable newcomers beside it), then readable again, then really ended: one
    alert and one all-clear per chat, no all-clear before the end."""
    n = 10
    db = fresh_database("alerts")
    seed(db.engine, n)
    now = datetime.now(UTC) - timedelta(seconds=30)
    good = alert(1, "Чернігівська область", oblast_uid=25, started_at=now)
    broken: list[list[dict[str, Any]]] = [
        [dict(good, started_at="not a date")],
        [dict(good, location_oblast_uid=999, location_oblast="", location_title="?")],
        [dict(good, alert_type=None)],
        [dict(good, location_title=None, started_at=None)],
        [dict(good, id="x"), {"id": 10}, dict(good, id=12, started_at="yesterday")],
        [dict(good, finished_at="garbage")],
    ]

    async def run(api: AlertsApiStandin, tg: BotApiStandin) -> dict[str, float]:
        bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=WORKERS)
        async with bot:
            dispatcher = Dispatcher(db.engine, bot, limits=FAST, poll_s=0.1)
            await dispatcher.start()
            pipeline = Pipeline(db.engine, OutboxSink(dispatcher.wake))
            import httpx

            async with httpx.AsyncClient() as client:
                service = AlertsApiService(db.engine, pipeline, client, api.token, api.base_url)
                await asyncio.to_thread(service._register)
                api.set_alerts([good])
                await service.poll_once()
                await _until(lambda: len(sends(tg)) >= n, 30)
                for entries in broken * (1 if quick else 3):
                    api.set_alerts(entries)
                    await service.poll_once()
                api.set_alerts([good])
                await service.poll_once()
                await asyncio.sleep(1.0 if quick else 5.0)
                ended = time.time()
                api.set_alerts([])
                await service.poll_once()
                await _until(lambda: len(sends(tg)) >= 2 * n, 30)
                await asyncio.sleep(1.0)
            await dispatcher.stop()
        return {"ended": ended, "unreadable": float(service.unreadable_entries)}

    try:
        with AlertsApiStandin() as api, BotApiStandin(limits=None) as tg:
            out = asyncio.run(run(api, tg))
            calls = sends(tg)
    finally:
        db.drop()
    before = [c for c in calls if c.time < out["ended"]]
    after = [c for c in calls if c.time >= out["ended"]]
    row = tally(before, [(c, "alert") for c in chat_ids(n)], _kind, Row("malformed alerts.in.ua"))
    end = tally(after, [(c, "clear") for c in chat_ids(n)], _kind)
    row.delivered = (row.delivered or 0) + (end.delivered or 0)
    row.lost = (row.lost or 0) + (end.lost or 0)
    row.repeated = (row.repeated or 0) + (end.repeated or 0)
    row.false_alerts = (row.false_alerts or 0) + (end.false_alerts or 0)
    row.details = {
        "chats": n,
        "unreadable_entries": int(out["unreadable"]),
        "all_clears_before_end": sum(1 for c in before if _kind(str(c.params["text"])) == "clear"),
    }
    return row


def _kind(text: str) -> str:
    return "clear" if "Відбій" in text or "All clear" in text else "alert"
