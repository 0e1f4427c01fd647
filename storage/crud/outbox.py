"""Outbox: durable, deduplicated queue of messages to send.

Lifecycle: ``pending`` → (:func:`claim_due`) ``sending`` → :func:`mark_sent` ``sent`` |
:func:`mark_retry` ``failed`` (claimable again at ``next_attempt_at``) | :func:`mark_dead`
``dead`` | :func:`expire_overdue` / :func:`mark_expired` ``expired`` (its class's time to live
ran out). A claim is a lease: its holder renews ``claimed_at`` (:func:`renew_claims`) while it
works on the row, so with several dispatchers on one database a crashed one's rows — and only
those — go stale; :func:`requeue_stale_sending` puts them back (delivery is at-least-once). Run :func:`claim_due` in its own short transaction so the claim is
visible to other claimers as soon as it returns.

Every row has a class (:data:`~storage.models.OUTBOX_CLASSES`: threat, report, digest) stored
as its ``priority``; claiming takes threats before reports before digests, so an air-raid alert
never waits behind a night's summary when Telegram's rate limit queues messages.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.crud._util import dialect_name, insert_for, now_or, short_error
from storage.models import OUTBOX_CLASSES, Outbox
from storage.types import as_utc

CLAIMABLE = ("pending", "failed")
DEFAULT_CLASS = "report"


def priority_of(klass: str) -> int:
    """The stored priority of a message class (lower is claimed first)."""
    try:
        return OUTBOX_CLASSES.index(klass)
    except ValueError:
        raise ValueError(f"unknown outbox class {klass!r}; one of {OUTBOX_CLASSES}") from None


_CHUNK = 500  # rows per INSERT; keeps SQLite under its bound-parameter limit


def dedup_key(event_id: int, chat_id: int, happening: str | None = None) -> str:
    """``"<event>:<chat>"``, or ``"<happening>:<chat>"`` to dedup across events/posts."""
    return f"{happening if happening is not None else event_id}:{chat_id}"


def enqueue(
    session: Session,
    event_id: int,
    chat_ids: Iterable[int],
    *,
    happening: str | None = None,
    not_before: datetime | None = None,
    klass: str = DEFAULT_CLASS,
    now: datetime | None = None,
) -> list[int]:
    """Queue the event for each chat, skipping (chat, key) pairs already queued.

    Idempotent through the unique ``dedup_key`` (``INSERT … ON CONFLICT DO NOTHING``). Pass
    ``happening`` (e.g. "air_alert:UA-74:2025-11-25T10:00") to dedup one real-world happening
    reported by several posts. ``klass`` is the message class (threat, report, digest).
    Returns the ids of the rows actually inserted.
    """
    stamp = now_or(now)
    priority = priority_of(klass)
    due = as_utc(not_before) if not_before is not None else stamp
    rows = [
        {
            "event_id": event_id,
            "chat_id": chat_id,
            "dedup_key": dedup_key(event_id, chat_id, happening),
            "status": "pending",
            "priority": priority,
            "attempts": 0,
            "next_attempt_at": due,
            "created_at": stamp,
        }
        for chat_id in dict.fromkeys(chat_ids)
    ]
    inserted: list[int] = []
    for start in range(0, len(rows), _CHUNK):
        stmt = (
            insert_for(session, Outbox)
            .values(rows[start : start + _CHUNK])
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(col(Outbox.id))
        )
        inserted.extend(session.execute(stmt).scalars().all())
    return sorted(inserted)


def claim_due(
    session: Session, limit: int, now: datetime | None = None, *, by_priority: bool = True
) -> list[Outbox]:
    """Atomically move up to ``limit`` due rows to ``sending`` and return them: threats first,
    then reports, then digests, oldest due first within a class (``by_priority=False``: oldest
    due first whatever the class — only for comparisons).

    One ``UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING``; on PostgreSQL the inner select
    uses ``FOR UPDATE SKIP LOCKED`` so concurrent claimers take disjoint rows without waiting,
    on SQLite the statement runs under the database write lock. ``attempts`` is incremented.
    """
    stamp = now_or(now)
    order = [col(Outbox.next_attempt_at), col(Outbox.id)]
    if by_priority:
        order.insert(0, col(Outbox.priority))
    due = (
        select(Outbox.id)
        .where(col(Outbox.status).in_(CLAIMABLE), col(Outbox.next_attempt_at) <= stamp)
        .order_by(*order)
        .limit(limit)
    )
    if dialect_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (
        update(Outbox)
        .where(col(Outbox.id).in_(due.scalar_subquery()), col(Outbox.status).in_(CLAIMABLE))
        .values(status="sending", claimed_at=stamp, attempts=col(Outbox.attempts) + 1)
        .returning(Outbox)
    )
    claimed = list(
        session.execute(stmt, execution_options={"populate_existing": True}).scalars().all()
    )
    claimed.sort(
        key=lambda row: (row.priority if by_priority else 0, row.next_attempt_at, row.id or 0)
    )
    return claimed


def _set(session: Session, outbox_id: int, **values: object) -> bool:
    result = session.execute(
        update(Outbox).where(col(Outbox.id) == outbox_id).values(values),
        execution_options={"synchronize_session": "fetch"},
    )
    return bool(getattr(result, "rowcount", 0))


def mark_sent(
    session: Session,
    outbox_id: int,
    telegram_message_id: int | None,
    *,
    now: datetime | None = None,
) -> bool:
    """Delivered; keep the Telegram message id for later edits."""
    return _set(
        session,
        outbox_id,
        status="sent",
        telegram_message_id=telegram_message_id,
        sent_at=now_or(now),
        last_error=None,
    )


def mark_retry(
    session: Session, outbox_id: int, next_at: datetime, error: str | BaseException | None = None
) -> bool:
    """Failed for now; claimable again from ``next_at``."""
    return _set(
        session,
        outbox_id,
        status="failed",
        next_attempt_at=as_utc(next_at),
        last_error=short_error(error),
    )


def mark_dead(session: Session, outbox_id: int, error: str | BaseException | None = None) -> bool:
    """Give up on this row."""
    return _set(session, outbox_id, status="dead", last_error=short_error(error))


def retry_now(session: Session, *, now: datetime | None = None) -> int:
    """Make every ``failed`` row due now (Telegram is back after an outage); how many."""
    stamp = now_or(now)
    result = session.execute(
        update(Outbox)
        .where(col(Outbox.status) == "failed", col(Outbox.next_attempt_at) > stamp)
        .values(next_attempt_at=stamp),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0))


def mark_expired(session: Session, outbox_id: int, error: str | None = None) -> bool:
    """Its class's time to live ran out before Telegram took it: recorded, never silent."""
    return _set(session, outbox_id, status="expired", last_error=short_error(error))


def expire_overdue(
    session: Session, ttl_s: Mapping[str, float], *, now: datetime | None = None
) -> int:
    """Mark claimable rows older than their class's time to live ``expired``; how many.

    ``ttl_s`` maps a class to seconds; a class left out (or ``<= 0``) never expires.
    """
    stamp = now_or(now)
    total = 0
    for klass, seconds in ttl_s.items():
        if seconds <= 0:
            continue
        result = session.execute(
            update(Outbox)
            .where(
                col(Outbox.status).in_(CLAIMABLE),
                col(Outbox.priority) == priority_of(klass),
                col(Outbox.created_at) < stamp - timedelta(seconds=seconds),
            )
            .values(status="expired", last_error="expired: time to live ran out"),
            execution_options={"synchronize_session": False},
        )
        total += int(getattr(result, "rowcount", 0))
    return total


def requeue_stale_sending(
    session: Session,
    older_than: datetime,
    *,
    now: datetime | None = None,
    keep: Collection[int] = (),
) -> int:
    """Put rows claimed before ``older_than`` and never finished back to ``pending``, due now.

    ``keep``: ids the caller still holds (queued, in flight, or an outcome not yet written),
    left alone so a periodic sweep never hands out a row that is still being worked on.
    """
    query = update(Outbox).where(
        col(Outbox.status) == "sending", col(Outbox.claimed_at) < older_than
    )
    if keep:
        query = query.where(col(Outbox.id).not_in(list(keep)))
    result = session.execute(
        query.values(status="pending", next_attempt_at=now_or(now), claimed_at=None),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0))


def renew_claims(
    session: Session, outbox_ids: Collection[int], *, now: datetime | None = None
) -> int:
    """Renew the lease on rows the caller still holds in ``sending``; how many."""
    stamp, ids, total = now_or(now), sorted(outbox_ids), 0
    for start in range(0, len(ids), _CHUNK):
        result = session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(ids[start : start + _CHUNK]), col(Outbox.status) == "sending")
            .values(claimed_at=stamp),
            execution_options={"synchronize_session": False},
        )
        total += int(getattr(result, "rowcount", 0))
    return total


def get_outbox(session: Session, outbox_id: int) -> Outbox | None:
    """One outbox row."""
    return session.get(Outbox, outbox_id)


def enqueue_live(
    session: Session,
    items: Sequence[tuple[int, int, int, int]],
    *,
    klass: str = DEFAULT_CLASS,
    now: datetime | None = None,
    media: Mapping[int, str] | None = None,
) -> int:
    """Queue live-message updates ``(event_id, chat_id, live_id, revision)``; returns how many.

    ``dedup_key`` is ``"l<live>:<revision>"``: re-staging the same revision adds nothing.
    ``klass`` is the message class (threat, report, digest) of every row. ``media`` maps a
    live id to the :class:`~storage.models.Media` key its row sends with the text.
    """
    pictures = media or {}
    stamp = now_or(now)
    priority = priority_of(klass)
    if not items:
        return 0
    rows = [
        {
            "event_id": event_id,
            "chat_id": chat_id,
            "live_id": live_id,
            "dedup_key": f"l{live_id}:{revision}",
            "status": "pending",
            "priority": priority,
            "attempts": 0,
            "next_attempt_at": stamp,
            "created_at": stamp,
            "media_key": pictures.get(live_id),
        }
        for event_id, chat_id, live_id, revision in items
    ]
    table = Outbox.metadata.tables["outbox"]
    stmt = (
        insert_for(session, table)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(table.c.id)
    )
    count = len(session.execute(stmt, rows).all())  # executemany, compiled once
    return count


def release(session: Session, outbox_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """Hand claimed (``sending``) rows back as ``pending`` without counting the attempt."""
    if not outbox_ids:
        return 0
    result = session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(list(outbox_ids)), col(Outbox.status) == "sending")
        .values(
            status="pending",
            claimed_at=None,
            next_attempt_at=now_or(now),
            attempts=col(Outbox.attempts) - 1,
        ),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0))


def pending_count(session: Session) -> int:
    """Rows not yet finished (pending, failed or sending)."""
    query = select(func.count()).where(col(Outbox.status).in_(("pending", "failed", "sending")))
    return int(session.exec(query).one())


def sent_since(session: Session, since: datetime) -> list[tuple[datetime, datetime]]:
    """``(created_at, sent_at)`` of the rows sent after ``since``: the delivery latencies the
    metrics observe at each scrape."""
    query = select(Outbox.created_at, Outbox.sent_at).where(col(Outbox.sent_at) > since)
    return [(created, sent) for created, sent in session.exec(query).all() if sent is not None]
