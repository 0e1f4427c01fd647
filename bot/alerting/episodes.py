"""Air-raid alert episodes: per region (or raion, hromada), from the start until the all-clear.

Reports of either end from several channels, up to :data:`SLACK` apart, join the same episode.
A raion's or hromada's alert is an episode of its own (``area``), so its all-clear never ends the
oblast's alert. Weapon types named with the alert and its level (a yellow, lower-level alert)
are kept on the episode for its message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from sqlmodel import Session

from storage import crud
from storage.models import Happening

SLACK: Final = timedelta(minutes=10)
MAX_EPISODE: Final = timedelta(hours=24)
ALERT: Final = "air_alert"
MAX_SOURCES_KEPT: Final = 12


AREA_LEVELS: Final = ("raion", "hromada")


def area_of(places: Sequence[Mapping[str, Any]], region: str) -> tuple[str, str, str]:
    """The part of ``region`` an alert is for: (uk, en, level) of its raion or hromada, or
    ("", "", "") when it is for the whole region (a raion's alert never ends the oblast's)."""
    for place in places:
        if place.get("region") == region and place.get("level") in AREA_LEVELS:
            name_uk, name_en = str(place.get("name_uk") or ""), str(place.get("name_en") or "")
            return name_uk, name_en, str(place.get("level"))
    return "", "", ""


def resolve(
    session: Session, kind: str, region: str, at: datetime, now: datetime, area: str = ""
) -> Happening:
    """The alert episode an ``air_alert_start``/``air_alert_end`` at ``at`` belongs to."""
    if kind == "air_alert_start":
        found = crud.find_happening(
            session,
            ALERT,
            region,
            started_from=at - MAX_EPISODE,
            started_to=at + SLACK,
            open_or_ended_after=at,
            area=area,
        )
        if found is None:
            return crud.add_happening(session, ALERT, region, at, now=now, area=area)
        if at < found.started_at:
            found.started_at = at
        return found
    found = crud.find_happening(
        session,
        ALERT,
        region,
        started_from=at - MAX_EPISODE,
        started_to=at,
        open_or_ended_after=at - SLACK,
        area=area,
    )
    if found is None:  # an all-clear without a start we saw: duration unknown
        return crud.add_happening(session, ALERT, region, at, ended_at=at, now=now, area=area)
    if found.ended_at is None or at < found.ended_at:
        found.ended_at = at
    return found


WEAPON_KINDS: Final = ("drones", "missiles", "airstrike")
YELLOW: Final = "yellow"
_YELLOW_MARKS: Final = ("жовт", "yellow")


def alert_level(text: str) -> str:
    """ "yellow" when the post's first line says the alert is of the lower (yellow) level —
    as alerts.in.ua's ``alert_level`` is written into its synthetic posts — else ""."""
    first = text.split("\n", 1)[0].lower()
    return YELLOW if any(mark in first for mark in _YELLOW_MARKS) else ""


def merge(
    happening: Happening,
    *,
    slot: int,
    counts: Mapping[str, int],
    places: Sequence[Mapping[str, Any]],
    region: str,
    source: tuple[str, int],
    now: datetime,
    threats: Sequence[str] = (),
    level: str = "",
) -> None:
    """Fold one alert report into its episode: sources and the weapon types named with the
    alert add up; a raion's or hromada's episode keeps the area's name to show; the level
    is the latest report's."""
    del counts
    if slot == 0:
        kinds = [*happening.kinds, *(k for k in threats if k not in happening.kinds)]
        if kinds != happening.kinds:
            happening.kinds = kinds
        if level != happening.level:
            happening.level = level
    if happening.area and not happening.places:
        uk, en, level = area_of(places, region)
        happening.places = [{"uk": uk, "en": en, "level": level, "region": region}]
    tag = f"{slot}:{source[0]}/{source[1]}"
    if tag not in happening.sources:
        happening.sources = [*happening.sources, tag][-MAX_SOURCES_KEPT:]
    happening.updated_at = now
