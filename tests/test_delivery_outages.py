"""Delivery that outlasts outages (scaled-down timings): a Telegram outage many retry caps
long loses nothing and kills nothing; a message past its class's time to live is recorded
``expired``; a database outage loses nothing and sends nothing twice; rows someone else left
in ``sending`` are requeued while running; ``/healthz`` fails while sends fail."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.alerting import Dispatcher, OutboxSink, RateLimits, make_bot
from bot.alerting.policy import CircuitBreaker, DeliveryPolicy
from bot.pipeline import Pipeline
from bot.standins.botapi_server import BotApiStandin
from bot.standins.tcp_proxy import TcpProxy
from sitrep.runtime import _checks
from storage import crud
from storage.db import session_scope
from storage.models import Outbox
from tests.support.delivery import seed
from tests.support.outages import alert_now, per_chat, statuses, wait_until

FAST = RateLimits(global_per_s=0, per_chat_per_s=50, per_chat_burst=50)
QUICK = DeliveryPolicy(
    retry_cap_s=0.3, breaker_after=3, breaker_base_s=0.1, breaker_max_s=0.5,
    maintain_every_s=0.2, stale_after_s=0.5,
)  # fmt: skip


@pytest.fixture
def tg() -> Iterator[BotApiStandin]:
    with BotApiStandin(limits=None) as standin:
        yield standin


async def test_telegram_outage_loses_nothing_and_health_says_so(
    engine: Engine, tg: BotApiStandin
) -> None:
    chats = {i: ("UA-74",) for i in range(1, 21)}
    seed(engine, chats)
    outage_s = 4.0  # > 13 retry caps: the old MAX_ATTEMPTS=8 would have killed every row
    bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=4)
    async with bot:
        tg.outage(outage_s, mode="502")  # after getMe: Telegram goes away
        dispatcher = Dispatcher(engine, bot, limits=FAST, workers=4, poll_s=0.05, policy=QUICK)
        checks = _checks(SimpleNamespace(dispatcher=dispatcher, engine=engine))  # type: ignore[arg-type]
        await dispatcher.start()
        try:
            await Pipeline(engine, OutboxSink(dispatcher.wake)).ingest("air_alert_ua", alert_now())
            await wait_until(lambda: dispatcher.breaker.is_open, 3)
            ok, detail = await checks["dispatcher"]()
            assert not ok and "Telegram API failing" in detail
            await asyncio.sleep(1.0)
            assert statuses(engine)["dead"] == 0
            await wait_until(lambda: statuses(engine)["sent"] == 20, outage_s + 10)
            ok, detail = await checks["dispatcher"]()
            assert ok, detail
        finally:
            await dispatcher.stop()
    assert per_chat(tg) == Counter({i: 1 for i in chats})  # every chat once: no 502 ran
    assert dispatcher.stats.breaker_opened >= 1 and dispatcher.stats.dead == 0
    with session_scope(engine, readonly=True) as s:
        attempts = s.exec(select(Outbox.attempts)).all()
    assert max(attempts) <= 6  # paused while down, not spinning through attempts


async def test_dropped_connections_count_as_an_outage(engine: Engine, tg: BotApiStandin) -> None:
    seed(engine, {1: ("UA-74",), 2: ("UA-74",)})
    bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=4)
    async with bot:
        tg.outage(1.5, mode="drop")  # after getMe: Telegram goes away
        dispatcher = Dispatcher(engine, bot, limits=FAST, workers=2, poll_s=0.05, policy=QUICK)
        await dispatcher.start()
        try:
            await Pipeline(engine, OutboxSink(dispatcher.wake)).ingest("air_alert_ua", alert_now())
            await wait_until(lambda: statuses(engine)["sent"] == 2, 10)
        finally:
            await dispatcher.stop()
    assert per_chat(tg) == Counter({1: 1, 2: 1})


async def test_past_its_time_to_live_a_message_is_expired_not_dead(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed(engine, {1: ("UA-74",), 2: ("UA-74",)})
    policy = DeliveryPolicy(
        ttl_s={"threat": 0.5, "report": 1.0, "digest": 1.0}, retry_cap_s=0.2, breaker_after=2,
        breaker_base_s=0.1, breaker_max_s=0.3, maintain_every_s=0.2,
    )  # fmt: skip
    bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=4)
    async with bot:
        tg.outage(30, mode="502")  # after getMe: Telegram goes away
        dispatcher = Dispatcher(engine, bot, limits=FAST, workers=2, poll_s=0.05, policy=policy)
        await dispatcher.start()
        try:
            await Pipeline(engine, OutboxSink(dispatcher.wake)).ingest("air_alert_ua", alert_now())
            await wait_until(lambda: statuses(engine)["expired"] == 2, 10)
        finally:
            await dispatcher.stop()
    assert statuses(engine) == Counter({"expired": 2})
    assert dispatcher.stats.expired == 2 and dispatcher.stats.dead == 0
    with session_scope(engine, readonly=True) as s:
        assert crud.outbox_counts(s)["expired"] == 2
    assert per_chat(tg) == Counter()


async def test_database_outage_loses_nothing_and_repeats_nothing(
    proxied_pg: tuple[Engine, TcpProxy], tg: BotApiStandin
) -> None:
    engine, proxy = proxied_pg
    chats = {i: ("UA-74",) for i in range(1, 41)}
    seed(engine, chats)
    slow = RateLimits(global_per_s=15, global_burst=1, per_chat_per_s=50, per_chat_burst=50)
    bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=4)
    async with bot:
        dispatcher = Dispatcher(
            engine, bot, limits=slow, workers=4, batch=12, poll_s=0.05, policy=QUICK
        )
        checks = _checks(SimpleNamespace(dispatcher=dispatcher, engine=engine))  # type: ignore[arg-type]
        await dispatcher.start()
        try:
            await Pipeline(engine, OutboxSink(dispatcher.wake)).ingest("air_alert_ua", alert_now())
            await wait_until(lambda: len(per_chat(tg)) >= 3, 5)
            proxy.cut()  # the database goes away mid-broadcast
            await wait_until(lambda: dispatcher.recorder.failing_since is not None, 5)
            ok, detail = await checks["dispatcher"]()
            assert not ok and "database writes failing" in detail
            await asyncio.sleep(2.5)  # > stale_after_s: held rows must not be requeued later
            during = len(per_chat(tg))
            proxy.restore()
            await wait_until(lambda: statuses(engine)["sent"] == 40, 20)
            await asyncio.sleep(1.0)  # a few maintenance sweeps after recovery
        finally:
            await dispatcher.stop()
    assert during < 40  # the outage really interrupted the broadcast
    assert per_chat(tg) == Counter({i: 1 for i in chats})  # nothing lost, nothing repeated
    assert statuses(engine) == Counter({"sent": 40})


async def test_rows_left_in_sending_by_a_dead_process_are_requeued_while_running(
    engine: Engine, tg: BotApiStandin
) -> None:
    seed(engine, {1: ("UA-74",)})
    await Pipeline(engine, OutboxSink(None)).ingest("air_alert_ua", alert_now())
    with session_scope(engine) as s:  # parked (not claimable) until the dispatcher runs
        s.execute(update(Outbox).values(status="dead"))
    bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=4)
    async with bot:
        dispatcher = Dispatcher(engine, bot, limits=FAST, workers=2, poll_s=0.05, policy=QUICK)
        await dispatcher.start()
        try:
            # another process claimed the row and died: it sits in ``sending`` after our start
            with session_scope(engine) as s:
                s.execute(
                    update(Outbox).values(
                        status="sending", claimed_at=datetime.now(UTC) - timedelta(minutes=5)
                    )
                )
            await wait_until(lambda: statuses(engine)["sent"] == 1, 5)
        finally:
            await dispatcher.stop()
    assert dispatcher.stats.requeued == 1
    assert per_chat(tg) == Counter({1: 1})


def test_circuit_breaker_opens_after_failures_in_a_row_and_backs_off() -> None:
    breaker = CircuitBreaker(after=3, base_s=1.0, max_s=8.0)
    assert not breaker.failure(0.0) and not breaker.failure(0.1)
    breaker.success()  # an answer in between resets the count
    assert not breaker.failure(0.2) and not breaker.failure(0.3)
    assert breaker.failure(0.4) and breaker.is_open
    waits = []
    for i in range(8):
        breaker.probe_failed(float(i))
        waits.append(breaker.next_probe - i)
    assert waits[0] <= 2.0 and max(waits) <= 8.0 and waits[-1] >= 4.0
    breaker.success()
    assert not breaker.is_open and breaker.failures == 0
