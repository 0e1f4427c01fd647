"""The night's picture for the morning summary: where alerts were, where hits and outages were
reported.

For the night report (``bot/digest.py`` or wherever the morning summary is built)::

    from bot.maps.night import night_state, render_night_map
    state = night_state(session, start, end)       # e.g. bot.maps.history.last_night(now, tz)
    if not state.quiet:
        png = render_night_map(state, lang, tz, mine=regions_of_the_chat)
        # send with sendPhoto (the caption carries the text summary)

Regions with any alert during ``[start, end]`` are coloured (whole or partial oblast), and each
region gets a mark per kind of what hit it: drones, missiles, guided bombs, hits (shelling,
explosions, damage) and power outages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.geo.regions import REGIONS
from bot.i18n import t
from bot.maps.cache import CACHE
from bot.maps.history import alert_spans
from bot.maps.render import render_map
from bot.maps.state import PARTIAL, WHOLE, MapState, make_state, threat_marks

# Event kind → the mark it shows on the night map.
NIGHT_MARKS: Final = {
    "drones": "drones",
    "missiles": "missiles",
    "airstrike": "airstrike",
    "shelling": "hits",
    "explosions": "hits",
    "damage": "hits",
    "power_outage": "outage",
}
MARK_ORDER: Final = ("drones", "missiles", "airstrike", "hits", "outage")


@dataclass(frozen=True, slots=True)
class NightState:
    state: MapState
    start: datetime
    end: datetime

    @property
    def quiet(self) -> bool:
        """Nothing to show: no alert and no mark."""
        return not self.state.alerts and not self.state.marks


def night_state(session: Session, start: datetime, end: datetime) -> NightState:
    """Alerts and reported events of every region between ``start`` and ``end``."""
    spans = alert_spans(session, list(REGIONS), start, end)
    alerts = {r: WHOLE for r, s in spans.items() if s}
    found = threat_marks(session, end, tuple(NIGHT_MARKS), end - start)
    marks = {r: {NIGHT_MARKS[k] for k in kinds} for r, kinds in found.items()}
    state = make_state(alerts, marks, end)
    return NightState(state, start, end)


def render_night_map(
    night: NightState,
    lang: str,
    tz: ZoneInfo,
    mine: Sequence[str] = (),
    *,
    title_key: str = "map.night_title",
) -> bytes:
    """The night's PNG (same size and legend style as ``/map``); cached per night and viewer.
    ``title_key``: "map.day_title" for the daily digest's 24 hours."""
    local = (night.start if title_key == "map.night_title" else night.end).astimezone(tz)
    date = f"{local.day:02d}.{local.month:02d}"
    title = t(lang, title_key, date=date, time=local.strftime("%H:%M"))
    key = ("night", night.state, night.start, lang, tz.key, tuple(sorted(mine)), title)
    return CACHE.get(
        key,
        lambda: render_map(night.state, lang, tz, mine, title=title, kinds=MARK_ORDER),
    )


__all__ = ["PARTIAL", "NightState", "night_state", "render_night_map"]
