"""Alert delivery: the pipeline's :class:`OutboxSink` and the outbox :class:`Dispatcher`.

Wiring::

    bot = make_bot(token, base_url)            # lean HTTPX pool sized for the workers
    await bot.initialize()
    dispatcher = Dispatcher(engine, bot, limits=RateLimits(global_per_s=30))
    pipeline = Pipeline(engine, OutboxSink(dispatcher.wake))
    await dispatcher.start()
    ...
    await dispatcher.stop(); await bot.shutdown()
"""

from __future__ import annotations

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.alerting.dispatcher import Dispatcher
from bot.alerting.limiter import RateLimits
from bot.alerting.quiet import in_quiet_hours
from bot.alerting.render import AlertView, render, split_html
from bot.alerting.sending import DispatchStats
from bot.alerting.sink import OutboxSink
from bot.alerting.topics import TOPIC_OF_KIND, topic_of


def make_bot(
    token: str,
    base_url: str = "https://api.telegram.org/bot",
    *,
    pool: int = 16,
    base_file_url: str = "https://api.telegram.org/file/bot",
) -> Bot:
    """A ``Bot`` for the dispatcher: a connection pool as large as its workers, no rate
    limiter of PTB's (the dispatcher paces itself), generous read timeouts."""
    request = HTTPXRequest(
        connection_pool_size=pool, read_timeout=15.0, write_timeout=15.0, pool_timeout=5.0
    )
    return Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)


__all__ = [
    "TOPIC_OF_KIND",
    "AlertView",
    "DispatchStats",
    "Dispatcher",
    "OutboxSink",
    "RateLimits",
    "in_quiet_hours",
    "make_bot",
    "render",
    "split_html",
    "topic_of",
]
