"""What the map shows, read from the database: alert state per region and the current threats.

A :class:`MapState` is a frozen, hashable value: the render cache keys on it, so the picture is
drawn again only when something on it changes (a region's alert, a threat mark, staleness, or
the minute printed on it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlmodel import Session

from bot.geo import REGIONS
from bot.latest import Staleness, staleness
from storage import crud

WHOLE: Final = "whole"
PARTIAL: Final = "partial"
# Marks of the live map: drones, missiles, guided bombs (the parser's "airstrike").
THREAT_KINDS: Final = ("drones", "missiles", "airstrike")
THREAT_WINDOW: Final = timedelta(hours=1)
# How far back the alert replay looks to tell a whole-oblast alert from a raion one.
SCOPE_WINDOW: Final = timedelta(hours=24)
SCOPE_EVENTS: Final = 20


@dataclass(frozen=True, slots=True)
class MapState:
    """Everything a map picture depends on, besides the viewer (language, own regions)."""

    alerts: tuple[tuple[str, str], ...]  # (region, WHOLE | PARTIAL), sorted; absent = calm
    marks: tuple[tuple[str, tuple[str, ...]], ...]  # (region, kinds), sorted
    as_of: datetime  # the minute printed on the picture
    stale: bool = False
    stale_since: datetime | None = None

    def alert(self, region: str) -> str | None:
        return dict(self.alerts).get(region)

    def marks_of(self, region: str) -> tuple[str, ...]:
        return dict(self.marks).get(region, ())


def make_state(
    alerts: Mapping[str, str],
    marks: Mapping[str, Iterable[str]],
    as_of: datetime,
    stale: Staleness | None = None,
) -> MapState:
    """A normalised state (sorted, minute precision) from plain dicts."""
    return MapState(
        alerts=tuple(sorted((r, s) for r, s in alerts.items() if r in REGIONS)),
        marks=tuple(sorted((r, tuple(sorted(set(k)))) for r, k in marks.items() if k)),
        as_of=as_of.replace(second=0, microsecond=0),
        stale=stale is not None,
        stale_since=stale.since if stale is not None else None,
    )


def units_of(row: crud.EventRow, region: str) -> set[str]:
    """What an alert event covers in ``region``: ``{"*"}`` for the whole oblast, else the names
    of its raions/hromadas/towns."""
    parts = [p for p in row.places if p.get("region") in (region, None)]
    if not parts or any(p.get("level") == "region" for p in parts):
        return {"*"}
    names = {str(p.get("name_uk") or p.get("name_en") or "") for p in parts}
    return {n for n in names if n} or {"*"}


def alert_scopes(session: Session, regions: Sequence[str], now: datetime) -> dict[str, str]:
    """WHOLE or PARTIAL for each region under alert: replays the region's recent starts and
    all-clears per raion; an oblast-wide start covers everything, an oblast-wide end clears it."""
    if not regions:
        return {}
    wanted = [(r, k, SCOPE_EVENTS) for r in regions for k in ("air_alert_start", "air_alert_end")]
    rows = crud.newest_events(session, wanted, now - SCOPE_WINDOW)
    out: dict[str, str] = {}
    for region in regions:
        active: set[str] = set()
        mine = sorted((r for r in rows if r.region == region), key=lambda r: (r.occurred_at, r.id))
        for row in mine:
            units = units_of(row, region)
            if row.kind == "air_alert_start":
                active |= units
            elif "*" in units:
                active.clear()
            else:
                active -= units
        out[region] = PARTIAL if active and "*" not in active else WHOLE
    return out


def threat_marks(
    session: Session,
    now: datetime,
    kinds: Sequence[str] = THREAT_KINDS,
    window: timedelta = THREAT_WINDOW,
) -> dict[str, set[str]]:
    """Regions with events of ``kinds`` within ``window`` before ``now``."""
    wanted = [(r, k, 1) for r in REGIONS for k in kinds]
    marks: dict[str, set[str]] = {}
    for row in crud.newest_events(session, wanted, now - window):
        if row.occurred_at <= now:
            marks.setdefault(row.region, set()).add(row.kind)
    return marks


def load_state(session: Session, now: datetime) -> MapState:
    """The live map's state: three indexed queries."""
    states = crud.alert_states(session, list(REGIONS))
    active = [r for r, s in states.items() if s.active]
    scopes = alert_scopes(session, active, now)
    marks = threat_marks(session, now)
    stale = staleness(crud.channel_health(session), now, None)
    return make_state(scopes, marks, now, stale)
