"""What region did the user mean? Free text of /subscribe, /unsubscribe and /latest → a region.

Uses the gazetteer's typo-tolerant :func:`bot.geo.lookup.lookup` first (regions, cities, raions…
in every case and spelling), then a small edit-distance search over the 27 regions' own names
("Чернигівщина", "Odessa regon") so a slip in a region name still lands.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Final, Literal

from bot.geo.gazetteer import LEVEL_RANK, Place
from bot.geo.lookup import lookup
from bot.geo.matcher_text import normalise_key
from bot.geo.regions import REGIONS

MAX_OPTIONS: Final = 8
# Characters of a query: any real place name with its oblast fits, and the edit-distance
# searches stay near a tenth of a second.
MAX_QUERY: Final = 64
# Resolution is CPU work: it runs here, never on the event loop, and never takes the threads
# the database calls use. One thread: a busy thread takes the GIL from the event loop in 5 ms
# slices, and two of them already slowed every other chat's reply by half.
_RESOLVER: Final = ThreadPoolExecutor(max_workers=1, thread_name_prefix="resolve")


@dataclass(frozen=True, slots=True)
class Option:
    region: str
    place_uk: str | None = None  # the town etc. that led there, None for a region itself
    place_en: str | None = None


@dataclass(frozen=True, slots=True)
class Resolution:
    kind: Literal["region", "place", "ambiguous", "unknown"]
    options: list[Option] = field(default_factory=list)  # one for region/place, several else

    @property
    def region(self) -> str:
        return self.options[0].region


@cache
def _region_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, r in REGIONS.items():
        for name in (r.name_uk, r.name_en, r.short_uk, r.short_en):
            key = normalise_key(name)
            for suffix in (" oblast", " region", " область"):
                key = key.removesuffix(suffix)
            names[key] = code
    return names


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1]


def _by_region_name(query: str) -> tuple[list[str], list[str]]:
    """(close matches, nearest suggestions) among region names."""
    key = normalise_key(query)
    for suffix in (" oblast", " region", " область", " обл"):
        key = key.removesuffix(suffix)
    scored: dict[str, int] = {}
    for name, code in _region_names().items():
        d = _distance(key, name)
        if d < scored.get(code, 1 << 30):
            scored[code] = d
    ranked = sorted(scored, key=lambda c: (scored[c], c))
    tolerance = 1 if len(key) < 6 else 2 if len(key) < 10 else 3
    close = [c for c in ranked if scored[c] <= tolerance]
    best = scored[ranked[0]] if ranked else 0
    close = [c for c in close if scored[c] == best]
    return close, ranked[:3]


async def resolve_off_loop(query: str) -> Resolution:
    """:func:`resolve` on a worker thread, so a slow query holds up no other chat."""
    return await asyncio.get_running_loop().run_in_executor(_RESOLVER, resolve, query)


def resolve(query: str) -> Resolution:
    """Interpret the user's text; never silently nothing (unknown carries suggestions).

    Text longer than :data:`MAX_QUERY` is no place name: unknown, without a costly search.
    """
    text = query.strip()
    if not text or len(text) > MAX_QUERY:
        return Resolution("unknown")
    upper = text.upper()
    if upper in REGIONS:
        return Resolution("region", [Option(upper)])
    places = [p for p in lookup(text, limit=30) if p.region in REGIONS]
    if places:
        regions = [p for p in places if p.level == "region"]
        if regions:
            codes = list(dict.fromkeys(p.region for p in regions))
            if len(codes) == 1:
                return Resolution("region", [Option(codes[0])])
            return Resolution("ambiguous", [Option(c) for c in codes[:MAX_OPTIONS]])
        best = min(LEVEL_RANK.get(p.level, 9) for p in places)
        top = [p for p in places if LEVEL_RANK.get(p.level, 9) == best]
        options = _place_options(top)
        if len(options) == 1:
            return Resolution("place", options)
        return Resolution("ambiguous", options[:MAX_OPTIONS])
    close, suggestions = _by_region_name(text)
    if len(close) == 1:
        return Resolution("region", [Option(close[0])])
    if close:
        return Resolution("ambiguous", [Option(c) for c in close[:MAX_OPTIONS]])
    return Resolution("unknown", [Option(c) for c in suggestions])


def _place_options(places: list[Place]) -> list[Option]:
    seen: dict[str, Option] = {}
    for p in places:
        seen.setdefault(p.region, Option(p.region, p.name_uk, p.name_en))
    return list(seen.values())
