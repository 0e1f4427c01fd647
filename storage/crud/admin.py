"""Read queries for the operator's ``/admin`` report and broadcasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import OUTBOX_STATUSES, Channel, Chat, Outbox, Post, Subscription

GROUP_TYPES = ("group", "supergroup")


@dataclass(frozen=True, slots=True)
class SourceRow:
    """Polling state of one enabled channel, with its last error."""

    username: str
    kind: str
    poll_interval_s: int
    last_poll_at: datetime | None
    last_poll_ok: bool | None
    consecutive_errors: int
    last_error: str | None
    last_post_at: datetime | None


@dataclass(frozen=True, slots=True)
class UntrustedSource:
    """A channel whose posts are stored but never alert: unregistered, disabled or unconfirmed."""

    username: str
    enabled: bool
    confirmed: bool
    posts: int
    last_post_at: datetime | None


@dataclass(frozen=True, slots=True)
class ChatTotals:
    active: int
    groups: int


def sources_health(session: Session) -> list[SourceRow]:
    """Every enabled channel, by username."""
    query = select(Channel).where(col(Channel.enabled).is_(True)).order_by(col(Channel.username))
    return [
        SourceRow(
            c.username,
            c.kind,
            c.poll_interval_s,
            c.last_poll_at,
            c.last_poll_ok,
            c.consecutive_errors,
            c.last_error,
            c.last_post_at,
        )
        for c in session.exec(query).all()
    ]


def untrusted_sources(session: Session, exclude: tuple[str, ...] = ()) -> list[UntrustedSource]:
    """Channels that are not trusted but have posts, most posts first (one grouped query)."""
    n = func.count(col(Post.id))
    query = (
        sa.select(
            col(Channel.username),
            col(Channel.enabled),
            col(Channel.confirmed),
            n,
            func.max(col(Post.published_at)),
        )
        .join(Post, col(Post.channel_id) == col(Channel.id))
        .where(~(col(Channel.enabled).is_(True) & col(Channel.confirmed).is_(True)))
        .group_by(
            col(Channel.id), col(Channel.username), col(Channel.enabled), col(Channel.confirmed)
        )
        .order_by(n.desc(), col(Channel.username))
    )
    if exclude:
        query = query.where(col(Channel.username).not_in(exclude))
    return [
        UntrustedSource(str(u), bool(e), bool(c), int(k), at)
        for u, e, c, k, at in session.execute(query).all()
    ]


def subscribers_by_region(session: Session) -> list[tuple[str, int]]:
    """Active chats per subscribed region, most subscribers first (then by code)."""
    n = func.count(col(Subscription.chat_id))
    query = (
        select(col(Subscription.region), n)
        .join(Chat, col(Chat.id) == col(Subscription.chat_id))
        .where(col(Chat.active).is_(True))
        .group_by(col(Subscription.region))
        .order_by(n.desc(), col(Subscription.region))
    )
    return [(str(region), int(count)) for region, count in session.exec(query).all()]


def chat_totals(session: Session) -> ChatTotals:
    """Active chats, and how many of them are groups."""
    query = select(col(Chat.type), func.count()).where(col(Chat.active).is_(True))
    by_type = {str(k): int(v) for k, v in session.exec(query.group_by(col(Chat.type))).all()}
    return ChatTotals(sum(by_type.values()), sum(by_type.get(k, 0) for k in GROUP_TYPES))


def outbox_counts(session: Session, event_id: int | None = None) -> dict[str, int]:
    """Outbox rows per status (every status present, zero if none); one event's if given."""
    query = select(col(Outbox.status), func.count()).group_by(col(Outbox.status))
    if event_id is not None:
        query = query.where(col(Outbox.event_id) == event_id)
    found = {str(k): int(v) for k, v in session.exec(query).all()}
    return {status: found.get(status, 0) for status in OUTBOX_STATUSES}


def active_chats(session: Session) -> list[tuple[int, str]]:
    """``(chat id, language)`` of every active chat, by id."""
    query = select(col(Chat.id), col(Chat.language)).where(col(Chat.active).is_(True))
    return [(int(i), str(lang)) for i, lang in session.exec(query.order_by(col(Chat.id))).all()]


def active_chat_count(session: Session) -> int:
    """How many chats a broadcast would reach."""
    query = select(func.count()).select_from(Chat).where(col(Chat.active).is_(True))
    return int(session.exec(query).one())
