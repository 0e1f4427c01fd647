"""Alerting state: happenings (coalesced reports), live messages, and delivery bookkeeping.

Bulk-shaped on purpose: one alert fans out to thousands of chats inside the pipeline's
transaction, so every function here is one statement (or one ``executemany``) per call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, bindparam, delete, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.crud._util import insert_for, now_or
from storage.crud.chats import topic_bit
from storage.models import Chat, Happening, LiveMessage, Outbox, Subscription

NATIONWIDE = "UA"


def _table(name: str) -> Table:
    return Happening.metadata.tables[name]


@dataclass(frozen=True, slots=True)
class Target:
    """A chat to alert, with the subscribed region the alert is filed under for it."""

    chat_id: int
    region: str
    language: str


def alert_targets(session: Session, regions: Iterable[str], topic: str) -> list[Target]:
    """Active chats wanting ``topic`` for any of ``regions``; one indexed query.

    Nationwide ("UA") reaches every chat subscribed to any region (filed under "UA"). A chat
    subscribed to several of ``regions`` appears once, under the smallest region code.
    """
    wanted = list(dict.fromkeys(regions))
    if not wanted:
        return []
    nationwide = NATIONWIDE in wanted
    region_col = col(Subscription.region)
    query = (
        select(Subscription.chat_id, func.min(region_col), Chat.language)
        .join(Chat, col(Chat.id) == col(Subscription.chat_id))
        .where(col(Chat.active).is_(True), col(Chat.topics).op("&")(topic_bit(topic)) != 0)
        .group_by(col(Subscription.chat_id), col(Chat.language))
        .order_by(col(Subscription.chat_id))
    )
    if not nationwide:
        query = query.where(region_col.in_(wanted))
    return [
        Target(int(chat_id), NATIONWIDE if nationwide else str(region), str(lang))
        for chat_id, region, lang in session.exec(query).all()
    ]


@dataclass(frozen=True, slots=True)
class IncidentTarget:
    """A chat to tell about an incident: its regions among the incident's, its topics."""

    chat_id: int
    regions: tuple[str, ...]
    language: str
    topics: int


def incident_targets(
    session: Session, regions: Iterable[str], topics: Iterable[str]
) -> list[IncidentTarget]:
    """Active chats wanting any of ``topics`` for any of ``regions``; one indexed query.

    Nationwide ("UA") reaches every chat subscribed to any region (its regions are then
    ``("UA",)``)."""
    wanted = list(dict.fromkeys(regions))
    mask = 0
    for topic in topics:
        mask |= topic_bit(topic)
    if not wanted or not mask:
        return []
    nationwide = NATIONWIDE in wanted
    region_col = col(Subscription.region)
    query = (
        select(Subscription.chat_id, region_col, Chat.language, Chat.topics)
        .join(Chat, col(Chat.id) == col(Subscription.chat_id))
        .where(col(Chat.active).is_(True), col(Chat.topics).op("&")(mask) != 0)
        .order_by(col(Subscription.chat_id), region_col)
    )
    if not nationwide:
        query = query.where(region_col.in_(wanted))
    found: dict[int, IncidentTarget] = {}
    for chat_id, region, lang, chat_topics in session.exec(query).all():
        key = int(chat_id)
        prior = found.get(key)
        if prior is None:
            mine = (NATIONWIDE,) if nationwide else (str(region),)
            found[key] = IncidentTarget(key, mine, str(lang), int(chat_topics))
        elif not nationwide:
            found[key] = IncidentTarget(
                key, (*prior.regions, str(region)), prior.language, prior.topics
            )
    return list(found.values())


def recent_incidents(session: Session, *, since: datetime, until: datetime) -> list[Happening]:
    """Incidents (threats and reports) that started in [since, until], latest report first."""
    query = (
        select(Happening)
        .where(
            col(Happening.kind).in_(("threat", "report")),
            col(Happening.started_at) >= since,
            col(Happening.started_at) <= until,
        )
        .order_by(
            func.coalesce(col(Happening.last_at), col(Happening.started_at)).desc(),
            col(Happening.id).desc(),
        )
    )
    return list(session.exec(query).all())


def find_happening(
    session: Session,
    kind: str,
    region: str,
    *,
    started_from: datetime,
    started_to: datetime,
    open_or_ended_after: datetime | None = None,
    area: str = "",
) -> Happening | None:
    """The latest happening of ``kind`` in ``region`` that started within the bounds.

    With ``open_or_ended_after``, only happenings still open or ended at/after that time count
    (alert episodes).
    """
    query = select(Happening).where(
        col(Happening.region) == region,
        col(Happening.kind) == kind,
        col(Happening.area) == area,
        col(Happening.started_at) >= started_from,
        col(Happening.started_at) <= started_to,
    )
    if open_or_ended_after is not None:
        query = query.where(
            or_(
                col(Happening.ended_at).is_(None),
                col(Happening.ended_at) >= open_or_ended_after,
            )
        )
    query = query.order_by(col(Happening.started_at).desc(), col(Happening.id).desc()).limit(1)
    return session.exec(query).first()


def add_happening(
    session: Session,
    kind: str,
    region: str,
    started_at: datetime,
    *,
    ended_at: datetime | None = None,
    now: datetime | None = None,
    area: str = "",
) -> Happening:
    """A new happening; flushed so it has an id."""
    stamp = now_or(now)
    row = Happening(
        kind=kind,
        region=region,
        area=area,
        started_at=started_at,
        ended_at=ended_at,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class LiveState:
    id: int
    chat_id: int
    text: str
    revision: int


def live_states(session: Session, happening_id: int, slot: int) -> dict[int, LiveState]:
    """The happening's live messages in ``slot``, by chat id."""
    query = select(
        LiveMessage.id, LiveMessage.chat_id, LiveMessage.text, LiveMessage.revision
    ).where(col(LiveMessage.happening_id) == happening_id, col(LiveMessage.slot) == slot)
    rows = session.exec(query).all()
    return {int(c): LiveState(int(i or 0), int(c), str(t), int(r)) for i, c, t, r in rows}


def add_live(
    session: Session,
    happening_id: int,
    slot: int,
    texts: Sequence[tuple[int, str]],
    *,
    now: datetime | None = None,
) -> dict[int, int]:
    """Insert live messages ``(chat_id, text)`` at revision 1; returns chat id → live id."""
    stamp = now_or(now)
    if not texts:
        return {}
    rows = [
        {
            "happening_id": happening_id,
            "chat_id": chat_id,
            "slot": slot,
            "text": text,
            "revision": 1,
            "updated_at": stamp,
        }
        for chat_id, text in texts
    ]
    table = _table("live_messages")
    stmt = (
        insert_for(session, table)
        .on_conflict_do_nothing(index_elements=["happening_id", "chat_id", "slot"])
        .returning(table.c.id, table.c.chat_id)
    )
    # executemany: compiled once, sent in batches ("insertmanyvalues") with RETURNING
    out = {int(c): int(i) for i, c in session.execute(stmt, rows).all()}
    return out


def set_live_texts(
    session: Session, changes: Sequence[tuple[int, str, int]], *, now: datetime | None = None
) -> None:
    """New wanted text for live messages: ``(live_id, text, revision)`` each."""
    if not changes:
        return
    stamp = now_or(now)
    live = _table("live_messages")
    stmt = (
        update(live)
        .where(live.c.id == bindparam("b_id"))
        .values(text=bindparam("b_text"), revision=bindparam("b_rev"), updated_at=stamp)
    )
    session.execute(stmt, [{"b_id": i, "b_text": t, "b_rev": r} for i, t, r in changes])


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed outbox row with what sending it needs (chat settings, live message)."""

    outbox_id: int
    chat_id: int
    chat_type: str
    quiet_start: int | None
    quiet_end: int | None
    live_id: int | None
    text: str
    sent_text: str | None
    telegram_message_id: int | None
    attempts: int
    priority: int = 1  # index into OUTBOX_CLASSES: 0 threat, 1 report, 2 digest
    created_at: datetime | None = None  # when queued: the class's time to live counts from here
    quiet_all: bool = False
    media_key: str | None = None  # a picture to send with the text (storage.crud.media)
    captioned: bool = False  # the message shown is a photo's caption


def jobs_for(session: Session, outbox_ids: Sequence[int]) -> list[Job]:
    """Jobs for claimed outbox rows in the given order; rows without a live message or an
    active chat are left out (the caller marks them dead)."""
    if not outbox_ids:
        return []
    query = (
        sa_select(
            col(Outbox.id),
            col(Outbox.chat_id),
            col(Chat.type),
            col(Chat.quiet_start),
            col(Chat.quiet_end),
            col(LiveMessage.id),
            col(LiveMessage.text),
            col(LiveMessage.sent_text),
            col(LiveMessage.telegram_message_id),
            col(Outbox.attempts),
            col(Outbox.priority),
            col(Outbox.created_at),
            col(Chat.quiet_all),
            col(Outbox.media_key),
            col(LiveMessage.captioned),
        )
        .join(Chat, col(Chat.id) == col(Outbox.chat_id))
        .join(LiveMessage, col(LiveMessage.id) == col(Outbox.live_id))
        .where(col(Outbox.id).in_(list(outbox_ids)), col(Chat.active).is_(True))
    )
    found = {int(row[0]): Job(*row) for row in session.execute(query).all()}
    return [found[i] for i in outbox_ids if i in found]


@dataclass(frozen=True, slots=True)
class Delivered:
    """A finished delivery: the outbox row is sent, the live message shows ``text``."""

    outbox_id: int
    live_id: int | None
    text: str | None
    telegram_message_id: int | None
    captioned: bool | None = None  # None: as it was


def record_delivered(
    session: Session, items: Sequence[Delivered], *, now: datetime | None = None
) -> None:
    """Mark many rows sent and update their live messages, two ``executemany`` statements."""
    if not items:
        return
    stamp = now_or(now)
    outbox = _table("outbox")
    live = _table("live_messages")
    session.execute(
        update(outbox)
        .where(outbox.c.id == bindparam("b_id"))
        .values(
            status="sent",
            telegram_message_id=bindparam("b_mid"),
            sent_at=stamp,
            last_error=None,
        ),
        [{"b_id": d.outbox_id, "b_mid": d.telegram_message_id} for d in items],
    )
    lives = [d for d in items if d.live_id is not None and d.text is not None]
    captions = [d for d in lives if d.captioned is not None]
    if captions:
        session.execute(
            update(live).where(live.c.id == bindparam("b_id")).values(captioned=bindparam("b_cap")),
            [{"b_id": d.live_id, "b_cap": d.captioned} for d in captions],
        )
    if lives:
        session.execute(
            update(live)
            .where(live.c.id == bindparam("b_id"))
            .values(sent_text=bindparam("b_text"), telegram_message_id=bindparam("b_mid")),
            [{"b_id": d.live_id, "b_text": d.text, "b_mid": d.telegram_message_id} for d in lives],
        )


def prune_happenings(session: Session, older_than: datetime) -> int:
    """Forget happenings (and their live messages) last updated before ``older_than``."""
    result = session.execute(
        delete(Happening).where(col(Happening.updated_at) < older_than),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0))


__all__ = [
    "Delivered",
    "IncidentTarget",
    "Job",
    "LiveState",
    "Target",
    "add_happening",
    "add_live",
    "alert_targets",
    "find_happening",
    "incident_targets",
    "jobs_for",
    "live_states",
    "prune_happenings",
    "recent_incidents",
    "record_delivered",
    "set_live_texts",
]
