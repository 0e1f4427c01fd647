"""Fault scenarios where a far side goes away: Telegram down (502s or dropped connections) and
the database cut off mid-broadcast.

The real pipeline, outbox, dispatcher and recorder run in this process with the production
:class:`DeliveryPolicy` in full mode. Quick mode keeps the outages short, so it scales the retry
cap down to 1 s and the breaker's probe cap to 2 s: the old give-up rule (8 attempts) would then
have killed every row within ~6 s, well inside even the 10 s outage.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from fanout import ALERT, seed
from faults_crash import WORKERS, chat_ids, open_rows, statuses
from faults_kit import Database, Row, fresh_database, sends, tally
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.alerting import Dispatcher, OutboxSink, RateLimits, make_bot
from bot.alerting.policy import DeliveryPolicy
from bot.pipeline import IncomingPost, Pipeline
from bot.standins.botapi_client import BotApiProcess
from bot.standins.tcp_proxy import TcpProxy
from storage.db import make_engine

QUICK_POLICY = DeliveryPolicy(retry_cap_s=1.0, breaker_max_s=2.0)
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _alert() -> list[IncomingPost]:
    return [IncomingPost("air_alert_ua", 1, datetime.now(UTC), ALERT)]


def telegram_outage(quick: bool, seconds: float, mode: str) -> Row:
    """Telegram answers nothing but ``mode`` (502 / dropped connections) for ``seconds`` from
    the moment the alert is staged."""
    n = 100 if quick else 200
    policy = QUICK_POLICY if quick else DeliveryPolicy()
    name = f"Telegram down {seconds:g} s ({mode})"
    db = fresh_database("tgdown")
    seed(db.engine, n)

    async def run(tg: BotApiProcess) -> dict[str, Any]:
        bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=WORKERS)
        async with bot:
            dispatcher = Dispatcher(db.engine, bot, limits=RateLimits(), policy=policy)
            await dispatcher.start()
            tg.outage(seconds, mode=mode)
            ends = time.time() + seconds
            await Pipeline(db.engine, OutboxSink(dispatcher.wake)).ingest("air_alert_ua", _alert())
            unhealthy = False
            deadline = ends + (60 if quick else 180)
            while time.time() < deadline:
                unhealthy = unhealthy or not dispatcher.health[0]
                if time.time() > ends and not await asyncio.to_thread(open_rows, db.engine):
                    break
                await asyncio.sleep(0.5)
            await dispatcher.stop()
            return {"ends": ends, "health_failed": unhealthy, "dead": dispatcher.stats.dead,
                    "expired": dispatcher.stats.expired}  # fmt: skip

    try:
        with BotApiProcess(limits=None) as tg:
            out = asyncio.run(run(tg))
            calls = sends(tg)
        row = tally(calls, ((c, "msg") for c in chat_ids(n)), row=Row(name))
    finally:
        db.drop()
    later = [c.time for c in calls if c.time >= out["ends"]]
    row.recovered_s = round(min(later) - out["ends"], 1) if later else None
    row.details = {"chats": n, "dead": out["dead"], "expired": out["expired"],
                   "healthz_failed": out["health_failed"]}  # fmt: skip
    return row


class _Cut:
    """Makes the database unavailable: PostgreSQL behind a proxy that drops every connection,
    or SQLite with another process holding an exclusive lock on the file."""

    def __init__(self, db: Database, proxy: TcpProxy | None) -> None:
        self.db, self.proxy = db, proxy
        self._release = threading.Event()
        self._locker: threading.Thread | None = None

    def cut(self) -> None:
        if self.proxy is not None:
            self.proxy.cut()
            return
        path = make_url(self.db.url).database or ""
        locked = threading.Event()

        def hold() -> None:
            conn = sqlite3.connect(path, timeout=30)
            conn.execute("BEGIN EXCLUSIVE")
            locked.set()
            self._release.wait()
            conn.rollback()
            conn.close()

        self._locker = threading.Thread(target=hold, daemon=True)
        self._locker.start()
        locked.wait(30)

    def restore(self) -> None:
        if self.proxy is not None:
            self.proxy.restore()
        self._release.set()
        if self._locker is not None:
            self._locker.join(10)


@contextmanager
def _outage_db() -> Iterator[tuple[Database, TcpProxy | None]]:
    """A fresh schema on PostgreSQL reached through a :class:`TcpProxy` when PostgreSQL
    answers; a fresh SQLite file otherwise."""
    try:
        pg_probe = make_engine(PG_URL)
        with pg_probe.connect() as conn:
            conn.execute(text("SELECT 1"))
        pg_probe.dispose()
    except Exception:
        db = fresh_database("dbdown", pg_url="")
        try:
            yield db, None
        finally:
            db.drop()
        return
    real = make_url(PG_URL)
    with TcpProxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        proxied = real.set(port=proxy.port).render_as_string(hide_password=False)
        schema_db = fresh_database("dbdown", pg_url=PG_URL)
        schema_db.engine.dispose()
        db = Database(make_engine(proxied, search_path=schema_db.schema), schema_db.url,
                      "postgresql", schema_db.schema, PG_URL)  # fmt: skip
        try:
            yield db, proxy
        finally:
            proxy.restore()
            db.drop()


def database_outage(quick: bool) -> Row:
    """The database goes away mid-broadcast for 15 s (quick) or 60 s and comes back."""
    seconds = 15.0 if quick else 60.0
    n = 150 if quick else 300
    with _outage_db() as (db, proxy):
        seed(db.engine, n)
        cut = _Cut(db, proxy)

        async def run(tg: BotApiProcess) -> dict[str, Any]:
            bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=WORKERS)
            async with bot:
                dispatcher = Dispatcher(db.engine, bot, limits=RateLimits(global_per_s=10))
                await dispatcher.start()
                pipeline = Pipeline(db.engine, OutboxSink(dispatcher.wake))
                await pipeline.ingest("air_alert_ua", _alert())
                while len(tg.calls("sendMessage", ok=True)) < 10:
                    await asyncio.sleep(0.05)
                await asyncio.to_thread(cut.cut)
                await asyncio.sleep(seconds)
                await asyncio.to_thread(cut.restore)
                back = time.time()
                deadline = back + (90 if quick else 180)
                while time.time() < deadline and await asyncio.to_thread(open_rows, db.engine):
                    await asyncio.sleep(0.5)
                await asyncio.sleep(1.0)  # a few recorder flushes after the last send
                await dispatcher.stop()
                return {"back": back, "requeued": dispatcher.stats.requeued}

        with BotApiProcess(limits=None) as tg:
            out = asyncio.run(run(tg))
            calls = sends(tg)
        left = statuses(db.engine)
        backend = db.backend
    name = f"database down {seconds:g} s"
    row = tally(calls, ((c, "msg") for c in chat_ids(n)), row=Row(name))
    later = [c.time for c in calls if c.time >= out["back"]]
    row.recovered_s = round(min(later) - out["back"], 1) if later else None
    row.details = {"chats": n, "backend": backend, "left_in_sending": left["sending"],
                   "requeued": out["requeued"]}  # fmt: skip
    return row
