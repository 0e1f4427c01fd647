"""Forgetting old rows, one small batch per call, never anything still live.

Each function picks at most ``batch`` ids and deletes them (children go by ``ON DELETE
CASCADE``), so one call is one short transaction: the caller loops, and other writers — on
SQLite there is only one at a time — get the lock between batches. What is still live stays:

* outbox rows not final (``pending``, ``sending``, ``failed``) — and the posts, events and
  happenings they belong to;
* outbox rows of a broadcast whose completion report has not gone out yet;
* a channel's newest posts (within ``keep_last`` of its ``last_seen_id``): the poller re-reads
  them for edits, and a pruned one would come back as new;
* the newest ``air_alert_start``/``air_alert_end`` of every region: an alert that has run for
  months (occupied regions) is still on the map;
* happenings still open (alert episodes without an all-clear) or updated since the cutoff: their
  live messages may still be edited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import Select, and_, delete, exists, func, select
from sqlmodel import Session, col

from storage.models import (
    Broadcast,
    Channel,
    Event,
    EventRegion,
    Happening,
    LiveMessage,
    Outbox,
    Post,
)

FINAL: Final = ("sent", "dead", "expired")
LIVE: Final = ("pending", "sending", "failed")
ALERT_KINDS: Final = ("air_alert_start", "air_alert_end")
ALERT_EPISODE: Final = "air_alert"
PRUNE_BATCH: Final = 500
Pruned = type[Outbox] | type[Post] | type[Happening] | type[Broadcast]


def _ids(session: Session, query: Select[Any]) -> list[int]:
    return [int(i) for i in session.execute(query).scalars().all()]


def _delete(session: Session, model: Pruned, ids: list[int]) -> int:
    if not ids:
        return 0
    result = session.execute(
        delete(model).where(col(model.id).in_(ids)),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def prune_outbox(session: Session, before: datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete up to ``batch`` final outbox rows queued before ``before``; returns how many."""
    query = (
        select(col(Outbox.id))
        .where(
            col(Outbox.status).in_(FINAL),
            col(Outbox.created_at) < before,
            ~exists()
            .where(col(Broadcast.event_id) == col(Outbox.event_id))
            .where(col(Broadcast.reported_at).is_(None)),
        )
        .order_by(col(Outbox.id))
        .limit(batch)
    )
    return _delete(session, Outbox, _ids(session, query))


def newest_alert_posts(session: Session) -> set[int]:
    """Posts holding the newest alert start or end of some region: never pruned."""
    newest = (
        select(
            col(EventRegion.region).label("region"),
            col(EventRegion.kind).label("kind"),
            func.max(col(EventRegion.occurred_at)).label("at"),
        )
        .where(col(EventRegion.kind).in_(ALERT_KINDS))
        .group_by(col(EventRegion.region), col(EventRegion.kind))
        .subquery()
    )
    query = (
        select(col(Event.post_id))
        .join(EventRegion, col(EventRegion.event_id) == col(Event.id))
        .join(
            newest,
            and_(
                newest.c.region == col(EventRegion.region),
                newest.c.kind == col(EventRegion.kind),
                newest.c.at == col(EventRegion.occurred_at),
            ),
        )
    )
    return set(_ids(session, query))


def prune_posts(
    session: Session,
    before: datetime,
    *,
    keep: set[int] | None = None,
    keep_last: int = 0,
    batch: int = PRUNE_BATCH,
) -> tuple[int, int]:
    """Delete up to ``batch`` posts published before ``before`` with their events (and those
    events' final outbox rows); returns (posts, events). ``keep``: post ids never pruned
    (see :func:`newest_alert_posts`); ``keep_last``: how far below a channel's ``last_seen_id``
    posts are still re-read."""
    live_row = (
        exists()
        .where(col(Event.post_id) == col(Post.id))
        .where(col(Outbox.event_id) == col(Event.id))
        .where(col(Outbox.status).in_(LIVE))
    )
    unreported = (
        exists()
        .where(col(Event.post_id) == col(Post.id))
        .where(col(Broadcast.event_id) == col(Event.id))
        .where(col(Broadcast.reported_at).is_(None))
    )
    query = (
        select(col(Post.id))
        .join(Channel, col(Channel.id) == col(Post.channel_id))
        .where(
            col(Post.published_at) < before,
            col(Post.message_id) <= col(Channel.last_seen_id) - keep_last,
            ~live_row,
            ~unreported,
        )
        .order_by(col(Post.published_at), col(Post.id))
        .limit(batch)
    )
    if keep:
        query = query.where(col(Post.id).not_in(sorted(keep)))
    ids = _ids(session, query)
    if not ids:
        return 0, 0
    events = session.execute(
        select(func.count()).select_from(Event).where(col(Event.post_id).in_(ids))
    ).scalar_one()
    return _delete(session, Post, ids), int(events)


def prune_happenings(
    session: Session, before: datetime, batch: int = PRUNE_BATCH
) -> tuple[int, int]:
    """Delete up to ``batch`` happenings last updated before ``before`` with their live
    messages; never an open alert episode or one with a message still to send. Returns
    (happenings, live messages)."""
    live_row = (
        exists()
        .where(col(LiveMessage.happening_id) == col(Happening.id))
        .where(col(Outbox.live_id) == col(LiveMessage.id))
        .where(col(Outbox.status).in_(LIVE))
    )
    open_episode = and_(col(Happening.kind) == ALERT_EPISODE, col(Happening.ended_at).is_(None))
    query = (
        select(col(Happening.id))
        .where(col(Happening.updated_at) < before, ~open_episode, ~live_row)
        .order_by(col(Happening.id))
        .limit(batch)
    )
    ids = _ids(session, query)
    if not ids:
        return 0, 0
    messages = session.execute(
        select(func.count()).select_from(LiveMessage).where(col(LiveMessage.happening_id).in_(ids))
    ).scalar_one()
    return _delete(session, Happening, ids), int(messages)


def prune_broadcasts(session: Session, before: datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete up to ``batch`` broadcasts reported before ``before``."""
    query = (
        select(col(Broadcast.id))
        .where(col(Broadcast.reported_at) < before)
        .order_by(col(Broadcast.id))
        .limit(batch)
    )
    return _delete(session, Broadcast, _ids(session, query))


__all__ = [
    "PRUNE_BATCH",
    "newest_alert_posts",
    "prune_broadcasts",
    "prune_happenings",
    "prune_outbox",
    "prune_posts",
]
