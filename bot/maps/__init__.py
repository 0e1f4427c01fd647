"""Pictures of the country: the live alert map, a region's 7-day history, the night's map.

``current_map`` is what ``/map``, ``sitrep map`` and the status page call: it reads the state
(three indexed queries) and returns the cached PNG while that state is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.maps.cache import CACHE
from bot.maps.render import Town, render_map
from bot.maps.state import MapState, load_state


def cached_map(
    state: MapState,
    lang: str,
    tz: ZoneInfo,
    mine: Sequence[str] = (),
    towns: Sequence[Town] = (),
) -> bytes:
    """The PNG of ``state`` for a viewer, rendered once per distinct picture."""
    pins = tuple(sorted(towns))
    key = ("map", state, lang, tz.key, tuple(sorted(mine)), pins)
    return CACHE.get(key, lambda: render_map(state, lang, tz, sorted(mine), towns=pins))


def current_map(
    session: Session, now: datetime, lang: str, tz: ZoneInfo, mine: Sequence[str] = ()
) -> tuple[bytes, MapState]:
    """The live map from the database: PNG bytes and the state it shows."""
    state = load_state(session, now)
    return cached_map(state, lang, tz, mine), state
