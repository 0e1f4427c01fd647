"""Several dispatchers on one database (one per instance): claims are disjoint, and neither a
starting instance nor the periodic sweep — not even right after a database outage — takes rows
a live instance still holds."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy.engine import Engine

from bot.alerting import Dispatcher, OutboxSink, RateLimits, make_bot
from bot.alerting.policy import DeliveryPolicy
from bot.pipeline import Pipeline
from bot.standins.botapi_server import BotApiStandin
from bot.standins.tcp_proxy import TcpProxy
from tests.support.delivery import seed
from tests.support.outages import alert_now, per_chat, statuses, wait_until

# Sends paced slowly enough that rows stay claimed longer than the lease (renewed 7 times in it:
# on a busy machine a round can be late).
SLOW = RateLimits(global_per_s=10, global_burst=1, per_chat_per_s=50, per_chat_burst=50)
LEASE = DeliveryPolicy(maintain_every_s=0.2, stale_after_s=1.5)
CHATS = 60


async def test_two_dispatchers_share_the_outbox_without_repeats(engine: Engine) -> None:
    seed(engine, {i: ("UA-74",) for i in range(1, CHATS + 1)})
    with BotApiStandin(limits=None) as tg:
        bots = [make_bot(tg.token, tg.base_url, pool=4) for _ in range(2)]
        async with bots[0], bots[1]:
            a, b = (
                Dispatcher(
                    engine,
                    bot,
                    limits=SLOW,
                    workers=4,
                    batch=20,
                    poll_s=0.05,
                    policy=LEASE,
                    exclusive=False,
                )
                for bot in bots
            )
            await a.start()
            try:
                await Pipeline(engine, OutboxSink(a.wake)).ingest("air_alert_ua", alert_now())
                await wait_until(lambda: a.busy >= 10, 5)
                await asyncio.sleep(2.0)  # A holds rows longer than the lease
                await b.start()  # B's start requeues nothing of A's
                await wait_until(lambda: statuses(engine)["sent"] == CHATS, 30)
                await asyncio.sleep(0.5)  # a few more sweeps
            finally:
                await a.stop()
                await b.stop()
        assert per_chat(tg) == Counter({i: 1 for i in range(1, CHATS + 1)})
    assert a.stats.sent > 0 and b.stats.sent > 0  # both delivered a share
    assert a.stats.sent + b.stats.sent == CHATS
    assert a.stats.requeued == b.stats.requeued == 0


async def test_after_a_database_outage_no_instance_takes_a_live_ones_rows(
    proxied_pg: tuple[Engine, TcpProxy],
) -> None:
    """Everyone's renewals fail during the outage; the first round after it only renews, so
    no instance counts another's unrenewed lease before that one had its turn."""
    engine, proxy = proxied_pg
    seed(engine, {i: ("UA-74",) for i in range(1, CHATS + 1)})
    policy = DeliveryPolicy(maintain_every_s=0.4, stale_after_s=1.5)
    with BotApiStandin(limits=None) as tg:
        bots = [make_bot(tg.token, tg.base_url, pool=4) for _ in range(2)]
        async with bots[0], bots[1]:
            a, b = (
                Dispatcher(
                    engine,
                    bot,
                    limits=SLOW,
                    workers=4,
                    batch=20,
                    poll_s=0.05,
                    policy=policy,
                    exclusive=False,
                )
                for bot in bots
            )
            await a.start()
            await b.start()
            try:
                await Pipeline(engine, OutboxSink(a.wake)).ingest("air_alert_ua", alert_now())
                await wait_until(lambda: a.busy >= 10 and b.busy >= 10, 5)
                proxy.cut()  # both hold rows; outcomes pile up in their recorders
                await asyncio.sleep(3.0)  # two leases long
                proxy.restore()
                await wait_until(lambda: statuses(engine)["sent"] == CHATS, 30)
                await asyncio.sleep(1.0)
            finally:
                await a.stop()
                await b.stop()
        assert per_chat(tg) == Counter({i: 1 for i in range(1, CHATS + 1)})
