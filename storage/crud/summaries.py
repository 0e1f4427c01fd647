"""Read-side queries for summaries: /latest, /regions, /status, digests and source health.

Each function is one round trip designed for the ``event_regions`` indexes: per (region, kind)
the newest rows come from the (region, kind, occurred_at) index with a LIMIT, and the pieces are
glued with UNION ALL, so the cost does not grow with the number of stored events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, and_, cast, literal, select, union_all
from sqlmodel import Session, col

from storage.models import Channel, Chat, Event, EventRegion, Post, Subscription

ALERT_KINDS = ("air_alert_start", "air_alert_end")


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event with where it came from (for the source link)."""

    id: int
    kind: str
    region: str  # the region it was looked up for
    regions: list[str]
    counts: dict[str, int]
    places: list[dict[str, Any]]
    occurred_at: datetime
    channel: str
    message_id: int
    live: bool = False  # a threat happening now, not a report


@dataclass(frozen=True, slots=True)
class AlertState:
    """The newest air-raid alert start and end seen for a region (either may be missing)."""

    region: str
    started_at: datetime | None
    ended_at: datetime | None

    @property
    def active(self) -> bool:
        if self.started_at is None:
            return False
        return self.ended_at is None or self.started_at > self.ended_at


@dataclass(frozen=True, slots=True)
class ChannelHealth:
    username: str
    kind: str
    default_region: str | None
    poll_interval_s: int
    last_poll_at: datetime | None
    last_poll_ok: bool | None
    consecutive_errors: int
    last_post_at: datetime | None


@dataclass(frozen=True, slots=True)
class DigestChat:
    id: int
    language: str
    topics: int
    digest_map: bool = False  # the digest carries the map of its 24 hours


def _newest_ids(region: str, kind: str, since: datetime | None, limit: int) -> Select[Any, Any]:
    query: Select[Any, Any] = select(
        col(EventRegion.event_id).label("event_id"),
        cast(literal(region), String).label("region"),
    ).where(col(EventRegion.region) == region, col(EventRegion.kind) == kind)
    if since is not None:
        query = query.where(col(EventRegion.occurred_at) >= since)
    query = query.order_by(col(EventRegion.occurred_at).desc()).limit(limit)
    sub = query.subquery()
    return select(sub.c.event_id, sub.c.region)


def newest_events(
    session: Session,
    wanted: Iterable[tuple[str, str, int]],
    since: datetime | None,
) -> list[EventRow]:
    """The newest ``limit`` events per ``(region, kind, limit)`` at or after ``since``.

    One query: a UNION ALL of index range scans, joined to events, posts and channels.
    Newest first; an event touching several asked regions appears once per region.
    """
    parts = [_newest_ids(r, k, since, n) for r, k, n in wanted if n > 0]
    if not parts:
        return []
    ids = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    query = (
        select(
            col(Event.id),
            col(Event.kind),
            ids.c.region,
            col(Event.regions),
            col(Event.counts),
            col(Event.places),
            col(Event.occurred_at),
            col(Channel.username),
            col(Post.message_id),
            col(Event.live),
        )
        .select_from(ids)
        .join(Event, col(Event.id) == ids.c.event_id)
        .join(Post, col(Post.id) == col(Event.post_id))
        .join(Channel, col(Channel.id) == col(Post.channel_id))
        .order_by(col(Event.occurred_at).desc(), col(Event.id).desc())
    )
    return [
        EventRow(
            id=int(r[0]),
            kind=r[1],
            region=r[2],
            regions=list(r[3] or []),
            counts={str(k): int(v) for k, v in (r[4] or {}).items()},
            places=list(r[5] or []),
            occurred_at=r[6],
            channel=r[7],
            message_id=int(r[8]),
            live=bool(r[9]),
        )
        for r in session.execute(query).all()
    ]


def alert_states(session: Session, regions: Sequence[str]) -> dict[str, AlertState]:
    """Newest air_alert_start / air_alert_end per region: 2 index lookups per region, one query."""
    if not regions:
        return {}
    parts = []
    for region in regions:
        for kind in ALERT_KINDS:
            sub = (
                select(
                    cast(literal(region), String).label("region"),
                    cast(literal(kind), String).label("kind"),
                    col(EventRegion.occurred_at).label("at"),
                )
                .where(col(EventRegion.region) == region, col(EventRegion.kind) == kind)
                .order_by(col(EventRegion.occurred_at).desc())
                .limit(1)
                .subquery()
            )
            parts.append(select(sub.c.region, sub.c.kind, sub.c.at))
    found: dict[tuple[str, str], datetime] = {}
    for region, kind, at in session.execute(union_all(*parts)).all():
        found[(region, kind)] = at
    return {
        r: AlertState(r, found.get((r, ALERT_KINDS[0])), found.get((r, ALERT_KINDS[1])))
        for r in regions
    }


def channel_health(session: Session) -> list[ChannelHealth]:
    """Polling state of every enabled channel."""
    rows = session.scalars(select(Channel).where(col(Channel.enabled).is_(True))).all()
    return [
        ChannelHealth(
            username=c.username,
            kind=c.kind,
            default_region=c.default_region,
            poll_interval_s=c.poll_interval_s,
            last_poll_at=c.last_poll_at,
            last_poll_ok=c.last_poll_ok,
            consecutive_errors=c.consecutive_errors,
            last_post_at=c.last_post_at,
        )
        for c in rows
    ]


def digest_chats(session: Session, hhmm: str) -> list[DigestChat]:
    """Active chats whose digest time is ``hhmm`` and that have at least one subscription."""
    has_sub = select(col(Subscription.chat_id)).where(col(Subscription.chat_id) == col(Chat.id))
    query = (
        select(col(Chat.id), col(Chat.language), col(Chat.topics), col(Chat.digest_map))
        .where(and_(col(Chat.active).is_(True), col(Chat.digest_time) == hhmm, has_sub.exists()))
        .order_by(col(Chat.id))
    )
    return [
        DigestChat(int(i), lang, int(topics), bool(dm))
        for i, lang, topics, dm in session.execute(query)
    ]


def regions_of_chats(session: Session, chat_ids: Sequence[int]) -> Mapping[int, list[str]]:
    """Subscribed regions of several chats, sorted."""
    out: dict[int, list[str]] = {i: [] for i in chat_ids}
    for start in range(0, len(chat_ids), 500):
        chunk = list(chat_ids[start : start + 500])
        query = (
            select(col(Subscription.chat_id), col(Subscription.region))
            .where(col(Subscription.chat_id).in_(chunk))
            .order_by(col(Subscription.chat_id), col(Subscription.region))
        )
        for chat_id, region in session.execute(query):
            out[int(chat_id)].append(region)
    return out


def set_chat_fields(session: Session, chat_id: int, **values: Any) -> bool:
    """Update some of a chat's settings (language, quiet hours and whether they silence threats,
    digest time and its map, topics, other raions marked)."""
    allowed = {
        "language",
        "quiet_start",
        "quiet_end",
        "quiet_all",
        "digest_time",
        "topics",
        "other_areas",
        "digest_map",
    }
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not chat settings: {sorted(unknown)}")
    chat = session.get(Chat, chat_id)
    if chat is None:
        return False
    for name, value in values.items():
        setattr(chat, name, value)
    session.flush()
    return True
