"""Watching the public channels: the registry's channels polled into the pipeline."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import httpx
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.metrics import Metrics
from bot.pipeline import IncomingPost, Pipeline
from bot.sources import alerts_in_ua
from bot.sources.alerts_in_ua import AlertsApiService
from bot.sources.poller import ChannelPoller, PollOutcome
from bot.sources.telegram_web import TelegramWebSource
from bot.sources.tme_html import ChannelPost
from storage import crud
from storage.db import session_scope

logger = logging.getLogger(__name__)

# Channels fed by another source, never fetched from t.me.
PSEUDO_CHANNELS = frozenset({alerts_in_ua.CHANNEL})


def to_incoming(post: ChannelPost) -> IncomingPost:
    return IncomingPost(
        channel=post.channel,
        message_id=post.message_id,
        published_at=post.published_at,
        text=post.text,
        forwarded_from=post.forwarded_from,
        media=post.media,
    )


class SourceService:
    """Polls every enabled channel of the database on its own interval and feeds the pipeline.

    The durable cursor is ``Channel.last_seen_id``, advanced by the pipeline in the same
    transaction that stores the posts; the poller's in-memory cursor starts from it.
    """

    def __init__(
        self,
        engine: Engine,
        pipeline: Pipeline,
        source: TelegramWebSource,
        *,
        interval_override: float | None = None,
        concurrency: int = 8,
        health_every: float = 60.0,
        metrics: Metrics | None = None,
    ) -> None:
        """``health_every``: while a channel keeps polling fine, its poll state is written at
        most this often (every failure and every change of state is written at once); the
        staleness checks allow at least two minutes."""
        self.engine = engine
        self.pipeline = pipeline
        self.source = source
        self.interval_override = interval_override
        self.concurrency = concurrency
        self.poller: ChannelPoller | None = None
        self.health_every = health_every
        self.metrics = metrics
        self._health: dict[str, float] = {}  # username -> monotonic time of last ok write

    def _load(self) -> tuple[dict[str, float], dict[str, int]]:
        with session_scope(self.engine, readonly=True) as s:
            rows = [
                c
                for c in crud.list_channels(s, enabled_only=True)
                if c.username not in PSEUDO_CHANNELS
            ]
            intervals = {
                c.username: float(self.interval_override or c.poll_interval_s) for c in rows
            }
            cursors = {c.username: c.last_seen_id for c in rows}
        return intervals, cursors

    async def start(self) -> None:
        intervals, cursors = await asyncio.to_thread(self._load)
        self.poller = ChannelPoller(
            self.source,
            intervals,
            on_posts=self._on_posts,
            on_poll=self._on_poll,
            last_seen=cursors,
            concurrency=self.concurrency,
            initial_spread=min(5.0, min(intervals.values(), default=0.0)),
        )
        self.poller.start()
        logger.info("sources.started", extra={"channels": len(intervals)})

    async def stop(self) -> None:
        if self.poller is not None:
            await self.poller.stop()
            logger.info("sources.stopped")

    async def _on_posts(self, username: str, posts: list[ChannelPost]) -> None:
        await self.pipeline.ingest(username, [to_incoming(p) for p in posts])

    async def _on_poll(self, username: str, outcome: PollOutcome) -> None:
        if self.metrics is not None:
            self.metrics.polls.labels(username, outcome.kind or outcome.status).inc()
        now = time.monotonic()
        if outcome.ok:
            written = self._health.get(username)
            if written is not None and now - written < self.health_every:
                return
            self._health[username] = now
        else:
            self._health.pop(username, None)

        def record() -> None:
            with session_scope(self.engine) as s:
                channel = crud.get_channel_by_username(s, username)
                if channel is None or channel.id is None:
                    return
                crud.record_poll(
                    s, channel.id, ok=outcome.ok, error=outcome.error, now=datetime.now(UTC)
                )

        await asyncio.to_thread(record)


def alerts_service(
    settings: Settings,
    engine: Engine,
    pipeline: Pipeline,
    client: httpx.AsyncClient,
    metrics: Metrics | None = None,
) -> AlertsApiService | None:
    """The alerts.in.ua poller when ``SITREP_ALERTS_IN_UA_TOKEN`` is set, else None."""
    if settings.alerts_in_ua_token is None:
        return None
    return AlertsApiService(
        engine,
        pipeline,
        client,
        settings.alerts_in_ua_token.get_secret_value(),
        settings.alerts_in_ua_url,
        settings.alerts_poll_interval_s,
        timezone=settings.timezone,
        metrics=metrics,
    )
