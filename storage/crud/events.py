"""Events: the parsed happenings of a post, one per (post, kind), plus per-region lookup rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from storage.crud._util import check_region, now_or
from storage.models import Event, EventRegion, Post
from storage.types import as_utc


@dataclass(frozen=True, slots=True)
class EventData:
    """What the parser hands to storage for one event (``bot`` adapts its own type to this).

    ``occurred_at`` defaults to the post's ``published_at``.
    """

    kind: str
    regions: Sequence[str]
    counts: Mapping[str, int] = field(default_factory=dict)
    summary: str = ""
    places: Sequence[Mapping[str, Any]] = ()
    occurred_at: datetime | None = None
    live: bool = False
    heading: Sequence[str] = ()
    train_numbers: Sequence[str] = ()


@dataclass(slots=True)
class EventChanges:
    """Outcome of :func:`replace_events_for_post`."""

    created: list[Event] = field(default_factory=list)
    updated: list[Event] = field(default_factory=list)
    unchanged: list[Event] = field(default_factory=list)
    deleted_kinds: list[str] = field(default_factory=list)

    @property
    def current(self) -> list[Event]:
        """All events the post has now."""
        return [*self.created, *self.updated, *self.unchanged]


def _dedup(regions: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(check_region(r) for r in regions))


def replace_events_for_post(
    session: Session,
    post_id: int,
    events: Sequence[EventData],
    *,
    now: datetime | None = None,
) -> EventChanges:
    """Make the post's stored events equal ``events``; marks the post parsed.

    Events are matched by kind: a known kind is updated in place (keeping its id, so outbox
    rows and sent messages stay attached), a new kind is inserted, and kinds no longer present
    are deleted — which cascades to their ``event_regions`` and ``outbox`` rows.
    """
    stamp = now_or(now)
    post = session.get(Post, post_id)
    if post is None:
        raise LookupError(f"no post {post_id}")
    kinds = [e.kind for e in events]
    if len(set(kinds)) != len(kinds):
        raise ValueError(f"duplicate event kinds for post {post_id}: {kinds}")

    existing = {
        e.kind: e for e in session.exec(select(Event).where(Event.post_id == post_id)).all()
    }
    changes = EventChanges()
    touched: list[Event] = []
    for data in events:
        regions = _dedup(data.regions)
        values: dict[str, Any] = {
            "regions": regions,
            "counts": {str(k): int(v) for k, v in data.counts.items()},
            "summary": data.summary,
            "places": [dict(p) for p in data.places],
            "live": bool(data.live),
            "heading": _dedup(data.heading),
            "train_numbers": [str(n) for n in dict.fromkeys(data.train_numbers)],
            "occurred_at": as_utc(data.occurred_at or post.published_at),
        }
        event = existing.get(data.kind)
        if event is None:
            event = Event(
                post_id=post_id,
                kind=data.kind,
                created_at=stamp,
                updated_at=stamp,
                **values,
            )
            session.add(event)
            changes.created.append(event)
            touched.append(event)
        elif any(getattr(event, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(event, name, value)
            event.updated_at = stamp
            changes.updated.append(event)
            touched.append(event)
        else:
            changes.unchanged.append(event)

    gone = [kind for kind in existing if kind not in set(kinds)]
    if gone:
        session.execute(
            delete(Event).where(col(Event.post_id) == post_id, col(Event.kind).in_(gone)),
            execution_options={"synchronize_session": False},
        )
        for kind in gone:
            session.expunge(existing[kind])
        changes.deleted_kinds = sorted(gone)
    post.parsed_at = stamp
    session.flush()  # assigns ids to new events

    if touched:
        ids = [e.id for e in touched]
        session.execute(delete(EventRegion).where(col(EventRegion.event_id).in_(ids)))
        rows = [
            {"event_id": e.id, "region": r, "kind": e.kind, "occurred_at": e.occurred_at}
            for e in touched
            for r in e.regions
        ]
        if rows:
            session.execute(insert(EventRegion), rows)
    return changes


def recent_events(
    session: Session,
    regions: str | Iterable[str],
    since: datetime,
    *,
    kinds: Iterable[str] | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[Event]:
    """Events touching any of ``regions`` that occurred at or after ``since``, newest first.

    One query; the region filter runs on ``event_regions`` via its (region, kind, occurred_at)
    or (region, occurred_at) index.
    """
    region_list = [regions] if isinstance(regions, str) else list(regions)
    if not region_list:
        return []
    sub = select(EventRegion.event_id).where(
        col(EventRegion.region).in_(region_list), col(EventRegion.occurred_at) >= since
    )
    if kinds is not None:
        sub = sub.where(col(EventRegion.kind).in_(list(kinds)))
    if until is not None:
        sub = sub.where(col(EventRegion.occurred_at) < until)
    query = (
        select(Event)
        .where(col(Event.id).in_(sub))
        .order_by(col(Event.occurred_at).desc(), col(Event.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def events_for_post(session: Session, post_id: int) -> list[Event]:
    """The post's events, by kind."""
    query = select(Event).where(Event.post_id == post_id).order_by(col(Event.kind))
    return list(session.exec(query).all())
