"""Broadcasts: the row that makes a broadcast's completion report survive a restart.

The report goes out once every outbox row of the broadcast's event is final (or the broadcast
is old enough to give up waiting). Sending it is claim → send → finish: :func:`claim_report`
lets exactly one caller through (until ``lease`` passes, so a process that died mid-send is
replaced), :func:`finish_report` records it, :func:`release_report` hands it back after a
failed send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, or_, select, update
from sqlmodel import Session, col

from storage.crud._util import now_or
from storage.models import Broadcast, BroadcastDraft, Outbox

OPEN = ("pending", "sending", "failed")


@dataclass(frozen=True, slots=True)
class BroadcastReport:
    """A broadcast ready to report: ``sent`` of ``total`` delivered."""

    id: int
    admin_chat_id: int
    language: str
    total: int
    sent: int

    @property
    def failed(self) -> int:
        return max(self.total - self.sent, 0)


def add_broadcast(
    session: Session,
    event_id: int,
    admin_chat_id: int,
    language: str,
    total: int,
    *,
    now: datetime | None = None,
) -> int:
    """Record a staged broadcast (same transaction as its outbox rows); returns its id."""
    row = Broadcast(
        event_id=event_id,
        admin_chat_id=admin_chat_id,
        language=language,
        total=total,
        created_at=now_or(now),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def due_reports(
    session: Session, *, give_up_before: datetime, lease_before: datetime
) -> list[BroadcastReport]:
    """Unreported broadcasts whose rows are all final, or created before ``give_up_before``;
    one claimed before ``lease_before`` (its sender died) counts as unclaimed."""
    open_rows = func.coalesce(func.sum(case((col(Outbox.status).in_(OPEN), 1), else_=0)), 0)
    sent_rows = func.coalesce(func.sum(case((col(Outbox.status) == "sent", 1), else_=0)), 0)
    query = (
        select(
            col(Broadcast.id),
            col(Broadcast.admin_chat_id),
            col(Broadcast.language),
            col(Broadcast.total),
            col(Broadcast.created_at),
            open_rows,
            sent_rows,
        )
        .outerjoin(Outbox, col(Outbox.event_id) == col(Broadcast.event_id))
        .where(
            col(Broadcast.reported_at).is_(None),
            or_(col(Broadcast.claimed_at).is_(None), col(Broadcast.claimed_at) < lease_before),
        )
        .group_by(
            col(Broadcast.id),
            col(Broadcast.admin_chat_id),
            col(Broadcast.language),
            col(Broadcast.total),
            col(Broadcast.created_at),
        )
        .order_by(col(Broadcast.id))
    )
    out = []
    for bid, chat, lang, total, created, pending, sent in session.execute(query).all():
        if pending and created >= give_up_before:
            continue
        out.append(BroadcastReport(int(bid), int(chat), str(lang), int(total), int(sent)))
    return out


def claim_report(
    session: Session, broadcast_id: int, *, lease_before: datetime, now: datetime | None = None
) -> bool:
    """Take the report for sending; False when someone else holds it or it went out."""
    result = session.execute(
        update(Broadcast)
        .where(
            col(Broadcast.id) == broadcast_id,
            col(Broadcast.reported_at).is_(None),
            or_(col(Broadcast.claimed_at).is_(None), col(Broadcast.claimed_at) < lease_before),
        )
        .values(claimed_at=now_or(now)),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def finish_report(
    session: Session, report: BroadcastReport, *, now: datetime | None = None
) -> None:
    """The report went out: record when and what it said."""
    session.execute(
        update(Broadcast)
        .where(col(Broadcast.id) == report.id)
        .values(reported_at=now_or(now), sent=report.sent, failed=report.failed),
        execution_options={"synchronize_session": False},
    )


def release_report(session: Session, broadcast_id: int) -> None:
    """Sending failed: the next round tries again."""
    session.execute(
        update(Broadcast)
        .where(col(Broadcast.id) == broadcast_id, col(Broadcast.reported_at).is_(None))
        .values(claimed_at=None),
        execution_options={"synchronize_session": False},
    )


def put_draft(
    session: Session, admin_chat_id: int, token: str, text: str, *, now: datetime | None = None
) -> None:
    """Keep ``text`` as the chat's broadcast awaiting Confirm under ``token``; an older draft
    of the chat is voided."""
    session.execute(
        delete(BroadcastDraft).where(col(BroadcastDraft.admin_chat_id) == admin_chat_id)
    )
    session.add(
        BroadcastDraft(admin_chat_id=admin_chat_id, token=token, text=text, created_at=now_or(now))
    )
    session.flush()


def take_draft(session: Session, admin_chat_id: int, token: str) -> str | None:
    """The draft's text, removed so that exactly one tap (on any instance) gets it; ``None``
    when it is gone, voided by a newer preview, or already taken."""
    where = (
        col(BroadcastDraft.admin_chat_id) == admin_chat_id,
        col(BroadcastDraft.token) == token,
    )
    text = session.execute(select(col(BroadcastDraft.text)).where(*where)).scalar_one_or_none()
    if text is None:
        return None
    taken = session.execute(delete(BroadcastDraft).where(*where))
    return text if getattr(taken, "rowcount", 0) == 1 else None


__all__ = [
    "BroadcastReport",
    "add_broadcast",
    "claim_report",
    "due_reports",
    "finish_report",
    "put_draft",
    "release_report",
    "take_draft",
]
