"""Coalescing: which happening an event belongs to, and what the happening says now.

A happening is (kind, region, time): reports of the same kind in the same region within
:data:`WINDOW` of its first report are one happening; for air-raid alerts it is the episode
from the start until the all-clear (reports of either end from several channels, up to
:data:`SLACK` apart, join the same episode). Edited posts resolve to the same happening
because the lookup is by the event's own time, not by "what is open now".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from sqlmodel import Session

from bot.alerting.render import AlertView
from storage.crud import live as crud_live
from storage.models import Happening

WINDOW: Final = timedelta(minutes=30)
SLACK: Final = timedelta(minutes=10)
MAX_EPISODE: Final = timedelta(hours=24)
ALERT: Final = "air_alert"
MAX_PLACES_KEPT: Final = 24
MAX_SOURCES_KEPT: Final = 12
END_SLOT: Final = 1


def slot_of(kind: str) -> int:
    """0 = the happening's message; 1 = the alert episode's all-clear."""
    return END_SLOT if kind == "air_alert_end" else 0


def resolve(session: Session, kind: str, region: str, at: datetime, now: datetime) -> Happening:
    """The happening an event of ``kind`` at ``at`` in ``region`` belongs to (created if new)."""
    if kind == "air_alert_start":
        found = crud_live.find_happening(
            session,
            ALERT,
            region,
            started_from=at - MAX_EPISODE,
            started_to=at + SLACK,
            open_or_ended_after=at,
        )
        if found is None:
            return crud_live.add_happening(session, ALERT, region, at, now=now)
        if at < found.started_at:
            found.started_at = at
        return found
    if kind == "air_alert_end":
        found = crud_live.find_happening(
            session,
            ALERT,
            region,
            started_from=at - MAX_EPISODE,
            started_to=at,
            open_or_ended_after=at - SLACK,
        )
        if found is None:  # an all-clear without a start we saw: duration unknown
            return crud_live.add_happening(session, ALERT, region, at, ended_at=at, now=now)
        if found.ended_at is None or at < found.ended_at:
            found.ended_at = at
        return found
    found = crud_live.find_happening(
        session, kind, region, started_from=at - WINDOW, started_to=at + WINDOW
    )
    return found or crud_live.add_happening(session, kind, region, at, now=now)


def merge(
    happening: Happening,
    *,
    slot: int,
    counts: Mapping[str, int],
    places: Sequence[Mapping[str, Any]],
    region: str,
    source: tuple[str, int],
    now: datetime,
) -> None:
    """Fold one report into the happening: latest figures win, places and sources add up."""
    if counts:
        happening.counts = {**happening.counts, **{k: int(v) for k, v in counts.items()}}
    known = list(happening.places)
    names = {p.get("uk") for p in known}
    for place in places:
        if place.get("level") in ("region", "country"):
            continue  # the header names the region already
        if place.get("region") not in (region, None) and region != "UA":
            continue
        entry = {"uk": str(place.get("name_uk", "")), "en": str(place.get("name_en", ""))}
        if entry["uk"] and entry["uk"] not in names and len(known) < MAX_PLACES_KEPT:
            known.append(entry)
            names.add(entry["uk"])
    if known != happening.places:
        happening.places = known
    tag = f"{slot}:{source[0]}/{source[1]}"
    if tag not in happening.sources:
        happening.sources = [*happening.sources, tag][-MAX_SOURCES_KEPT:]
    happening.updated_at = now


def view_of(happening: Happening, slot: int) -> AlertView:
    """What the chats' message for ``slot`` of the happening shows."""
    sources: list[tuple[str, int]] = []
    for tag in happening.sources:
        head, _, rest = tag.partition(":")
        channel, _, mid = rest.rpartition("/")
        if head == str(slot) and channel and mid.isdigit():
            sources.append((channel, int(mid)))
    if happening.kind == ALERT:
        if slot == END_SLOT:
            end = happening.ended_at or happening.started_at
            known_start = happening.started_at if happening.started_at < end else None
            return AlertView(
                "air_alert_end", happening.region, end, sources=sources, started_at=known_start
            )
        return AlertView("air_alert_start", happening.region, happening.started_at, sources=sources)
    return AlertView(
        happening.kind,
        happening.region,
        happening.started_at,
        counts=dict(happening.counts),
        places=list(happening.places),
        sources=sources,
    )
