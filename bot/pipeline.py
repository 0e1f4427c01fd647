"""New or edited post → stored idempotently → parsed → events stored → staged for alerting.

Everything for one batch of posts happens in one database transaction, including the channel's
``last_seen_id`` and the alerting stage's own rows (:class:`EventSink.stage` runs inside it).
Killed at any point, the process either committed the whole batch or none of it; the poller
re-fetches from ``last_seen_id`` on restart, so no post is processed twice and none is skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.metrics import Metrics
from bot.parsing import Event as ParsedEvent
from bot.parsing import parse
from storage import crud
from storage.db import session_scope
from storage.models import Channel, Post

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IncomingPost:
    """A channel post from any source (t.me preview, Bot API channel_post, forwards, alert API)."""

    channel: str
    message_id: int
    published_at: datetime
    text: str
    edited_at: datetime | None = None
    forwarded_from: str | None = None
    vouched: bool = False  # an admin forwarded it: parsed even if its channel is not trusted
    media: str | None = None  # photo, video, album, poll, document…; ``text`` is the caption


class EventSink(Protocol):
    """The alerting stage's entry point.

    ``stage`` runs inside the pipeline's transaction (so what it writes commits or rolls back
    with the events); ``wake`` runs after the commit, to start delivery without waiting.
    """

    def stage(self, session: Session, post: Post, changes: crud.EventChanges) -> None: ...

    def wake(self) -> None: ...


class NullSink:
    """Stores events only; used by ``sitrep parse``-like tools and when alerting is off."""

    def stage(self, session: Session, post: Post, changes: crud.EventChanges) -> None:
        return None

    def wake(self) -> None:
        return None


@dataclass(slots=True)
class BatchResult:
    new: int = 0
    edited: int = 0
    unchanged: int = 0
    events_created: int = 0
    events_updated: int = 0
    untrusted: int = 0  # stored for the operator, not parsed: the channel is not trusted


def to_event_data(event: ParsedEvent, occurred_at: datetime) -> crud.EventData:
    body = event.to_json()
    return crud.EventData(
        kind=event.kind,
        regions=list(event.regions),
        counts=dict(event.counts),
        summary=event.summary,
        places=body["places"],
        occurred_at=occurred_at,
        live=event.live,
        heading=list(event.heading),
        train_numbers=list(event.train_numbers),
    )


class Pipeline:
    """Stores every post; parses only those of trusted channels (``Channel.trusted``) and admins'
    forwards, so a stranger who adds the bot to a channel of their own can never alert anyone.
    Thread-safe per call; callers await ``ingest``."""

    def __init__(
        self,
        engine: Engine,
        sink: EventSink | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        metrics: Metrics | None = None,
    ) -> None:
        self.engine = engine
        self.metrics = metrics
        self.sink: EventSink = sink or NullSink()
        self.clock = clock
        self._write_lock = asyncio.Lock()  # one writer: SQLite serialises writes anyway

    async def ingest(self, channel: str, posts: Sequence[IncomingPost]) -> BatchResult:
        """Store, parse and stage a batch of one channel's posts; advance its ``last_seen_id``."""
        async with self._write_lock:
            result = await asyncio.to_thread(self._ingest_sync, channel, posts)
        if result.events_created or result.events_updated:
            self.sink.wake()
        return result

    def _ingest_sync(self, channel: str, posts: Sequence[IncomingPost]) -> BatchResult:
        result = BatchResult()
        with session_scope(self.engine) as session:
            row = crud.get_channel_by_username(session, channel)
            if row is None:
                # Known only through the Bot API: keep its posts, but don't poll its t.me page
                # until an operator registers it (``sitrep channels add``).
                row = crud.upsert_channel(session, channel, kind="news", enabled=False)
                logger.warning("pipeline.unknown_channel", extra={"channel": channel})
            assert row.id is not None
            for incoming in sorted(posts, key=lambda p: p.message_id):
                self._one(session, row, incoming, result)
            if posts:
                newest = max(posts, key=lambda p: p.message_id)
                crud.advance_last_seen_id(session, row.id, newest.message_id)
                latest = max(p.published_at for p in posts)
                crud.advance_last_post_at(session, row.id, latest)  # /admin: "last post"
        logger.info(
            "pipeline.batch",
            extra={
                "channel": channel,
                "new": result.new,
                "edited": result.edited,
                "events_created": result.events_created,
                "events_updated": result.events_updated,
                "untrusted": result.untrusted,
            },
        )
        return result

    def _one(
        self, session: Session, channel: Channel, incoming: IncomingPost, result: BatchResult
    ) -> None:
        assert channel.id is not None
        post, status = crud.upsert_post(
            session,
            channel_id=channel.id,
            message_id=incoming.message_id,
            text=incoming.text,
            published_at=incoming.published_at,
            edited_at=incoming.edited_at,
            forwarded_from=incoming.forwarded_from,
            media=incoming.media,
            now=self.clock(),
        )
        if status == "unchanged" and post.parsed_at is not None:
            result.unchanged += 1
            return
        result.new += status == "new"
        result.edited += status == "edited"
        if self.metrics is not None:
            self.metrics.posts.labels(channel.username, status).inc()
        if not (channel.trusted or incoming.vouched):
            result.untrusted += 1
            return
        try:
            events = parse(post.text, channel.kind, channel.default_region)
        except Exception:  # a parser bug must not lose the post: it is stored, retried later
            logger.exception(
                "pipeline.parse_failed",
                extra={"channel": channel.username, "message_id": post.message_id},
            )
            return
        assert post.id is not None
        occurred = post.published_at
        changes = crud.replace_events_for_post(
            session, post.id, [to_event_data(e, occurred) for e in events], now=self.clock()
        )
        result.events_created += len(changes.created)
        result.events_updated += len(changes.updated)
        if self.metrics is not None:
            for event in [*changes.created, *changes.updated]:
                self.metrics.events.labels(event.kind).inc()
        self.sink.stage(session, post, changes)
