"""Fault scenarios on the sending path: ``sitrep run`` killed or stopped mid-broadcast, a 429
storm, random 5xx and hung requests.

Kill and term run the real bot as a process against the Bot API stand-in with Telegram's
limits; the storm and the flaky API run the real pipeline, outbox and dispatcher in this
process against the stand-in in its own process.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections import Counter
from datetime import UTC, datetime

from fanout import ALERT, seed
from faults_kit import Database, Row, fresh_database, sends, sitrep_run, stop, tally, wait_for
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.alerting import Dispatcher, OutboxSink, RateLimits, make_bot
from bot.pipeline import IncomingPost, Pipeline
from bot.standins.botapi_client import BotApiProcess
from bot.standins.botapi_server import BotApiStandin
from bot.standins.botapi_state import Limits
from bot.standins.tme_server import TmeStandin
from storage.db import session_scope
from storage.models import Outbox

WORKERS = 8  # the dispatcher's default: at most this many requests in flight


def chat_ids(n: int) -> list[int]:
    return [10_000 + i for i in range(n)]


def stage(db: Database, chats: int) -> None:
    """Chats following Chernihiv oblast and one air-raid alert for them in the outbox."""
    seed(db.engine, chats)
    post = IncomingPost("air_alert_ua", 1, datetime.now(UTC), ALERT)
    asyncio.run(Pipeline(db.engine, OutboxSink(None)).ingest("air_alert_ua", [post]))


def statuses(engine: Engine) -> Counter[str]:
    with session_scope(engine, readonly=True) as s:
        return Counter(s.exec(select(Outbox.status)).all())


def open_rows(engine: Engine) -> int:
    counts = statuses(engine)
    return counts["pending"] + counts["sending"]


def in_flight(engine: Engine) -> set[int]:
    with session_scope(engine, readonly=True) as s:
        return set(s.exec(select(Outbox.chat_id).where(Outbox.status == "sending")).all())


def signal_mid_broadcast(quick: bool, sig: signal.Signals) -> Row:
    """``sitrep run`` gets ``sig`` while it sends one alert to every chat, is started again
    (``kills`` times), and the last run finishes the broadcast."""
    name = "SIGKILL mid-broadcast" if sig == signal.SIGKILL else "SIGTERM mid-broadcast"
    n = 150 if quick else 600
    times = (2 if quick else 3) if sig == signal.SIGKILL else 1
    db = fresh_database("kill")
    stage(db, n)
    rng = random.Random(7)
    uncertain: Counter[int] = Counter()
    recovered: list[float] = []
    exits: list[float] = []
    codes: list[int] = []
    try:
        with TmeStandin() as tme, BotApiStandin() as tg:  # Telegram's limits: 30 msg/s
            for channel in ("air_alert_ua", "chernigivskaODA"):
                tme.add_channel(channel)
            for _ in range(times):
                before = len(sends(tg))
                proc = sitrep_run(db, tg, tme.base_url)
                started = time.time()
                goal = before + rng.randint(10, 40)
                wait_for(lambda g=goal: tg.call_count("sendMessage", ok=True) >= g, 60, 0.02)  # type: ignore[misc]
                if len(sends(tg)) > before:
                    recovered.append(min(c.time for c in sends(tg)[before:]) - started)
                signalled = time.monotonic()
                proc.send_signal(sig)
                codes.append(proc.wait(30))
                exits.append(time.monotonic() - signalled)
                uncertain.update(in_flight(db.engine))
            before = len(sends(tg))
            proc = sitrep_run(db, tg, tme.base_url)
            started = time.time()
            try:
                wait_for(lambda: open_rows(db.engine) == 0, 120 if quick else 300, 0.2)
                if len(sends(tg)) > before:
                    recovered.append(min(c.time for c in sends(tg)[before:]) - started)
            finally:
                stop(proc)
            row = tally(sends(tg), ((c, "msg") for c in chat_ids(n)), row=Row(name))
            got = Counter(int(c.params["chat_id"]) for c in sends(tg))
    finally:
        db.drop()
    extra = {c: k - 1 for c, k in got.items() if k > 1}
    row.window = WORKERS * times if sig == signal.SIGKILL else 0
    row.recovered_s = round(max(recovered), 1) if recovered else None
    row.details = {
        "chats": n,
        "signals": times,
        # every repeat was a row in flight (claimed, not yet recorded) when the process died
        "repeats_explained": all(uncertain[c] >= k for c, k in extra.items()),
        "exit_s": round(max(exits), 2),
        "exit_codes": codes,  # SIGTERM: 0, a clean stop
    }
    return row


async def _broadcast(tg: BotApiProcess, chats: int, limits: RateLimits, timeout: float) -> None:
    db = fresh_database("send")
    seed(db.engine, chats)
    try:
        bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=WORKERS)
        async with bot:
            dispatcher = Dispatcher(db.engine, bot, limits=limits, workers=WORKERS)
            await dispatcher.start()
            post = IncomingPost("air_alert_ua", 1, datetime.now(UTC), ALERT)
            await Pipeline(db.engine, OutboxSink(dispatcher.wake)).ingest("air_alert_ua", [post])
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and await asyncio.to_thread(open_rows, db.engine):
                await asyncio.sleep(0.2)
            await dispatcher.stop()
    finally:
        db.drop()


def rate_limit_storm(quick: bool) -> Row:
    """We send unthrottled; Telegram allows 30 msg/s overall and 1 per chat and answers the
    rest 429 with ``retry_after``."""
    n = 200 if quick else 600
    with BotApiProcess(limits=Limits()) as tg:
        asyncio.run(_broadcast(tg, n, RateLimits(global_per_s=0), 60 + n / 10))
        calls = tg.calls("sendMessage")
        row = tally(sends(tg), ((c, "msg") for c in chat_ids(n)), row=Row("429 storm"))
    limited = [c.time for c in calls if c.status == 429]
    ok = [c.time for c in calls if c.status == 200]
    after = [t for t in ok if limited and t > max(limited)]
    row.recovered_s = round(min(after) - max(limited), 1) if after else None
    row.details = {"chats": n, "http_429": len(limited)}
    return row


def flaky_api(quick: bool) -> Row:
    """Random 500s (not executed) and hung requests (executed, never answered: the only
    requests whose repeat is allowed)."""
    n = 300 if quick else 1000
    with BotApiProcess(limits=None) as tg:
        tg.flaky(p_5xx=0.1, p_hang=0.02, hang_s=16.0 if quick else 20.0, seed=11)
        asyncio.run(_broadcast(tg, n, RateLimits(global_per_s=50), 120 + n / 10))
        faults = tg.faults()
        tg.flaky()
        row = tally(sends(tg), ((c, "msg") for c in chat_ids(n)), row=Row("5xx and hangs"))
    row.window = faults["hang"]
    row.details = {"chats": n, "http_5xx": faults["5xx"], "hung": faults["hang"]}
    return row
