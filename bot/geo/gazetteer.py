"""Loads the generated place data (bot/geo/data/gazetteer.json.gz) once, immutably.

The data maps every surface form to place indices; ids stay comma-joined strings until looked up,
which keeps loading to one json.loads of ~130k short strings.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

LEVEL_RANK = {
    "region": 0,
    "city": 1,
    "raion": 2,
    "district": 2,
    "hromada": 3,
    "selyshche": 4,
    "village": 5,
}


@dataclass(frozen=True, slots=True)
class Place:
    key: str  # stable id: KATOTTG code, or "region:UA-74"
    name_uk: str  # nominative: "Костянтинівка", "Конотопський район"
    name_en: str  # "Kostiantynivka", "Konotop raion"
    level: str  # region | raion | hromada | city | selyshche | village | district
    region: str  # ISO 3166-2 code, e.g. "UA-14"


@dataclass(frozen=True, slots=True)
class Gazetteer:
    places: tuple[Place, ...]
    raion: tuple[str, ...]  # KATOTTG raion code of each place ("" for regions)
    stop: frozenset[int]  # places named like a common word: need a marker or mid-sentence capital
    adjectival: frozenset[int]  # adjective-like village/selyshche names ("Харківське")
    urban: frozenset[
        int
    ]  # hromadas (old raions) whose centre is a city: preferred among same-named
    old: frozenset[int]  # raions from before the 2020 reform: ranked below current raions
    foreign: int  # index of the sentinel "foreign place" entry
    forms: dict[str, str]  # surface key → "i,j,k": whole-name forms
    adjs: dict[str, str]  # adjective key → ids: raion/hromada/oblast names needing a head noun
    heads: dict[str, int]  # first word of a key → most words in any key starting with it
    by_key: dict[str, int]  # place key → index

    def ids(self, packed: str) -> tuple[int, ...]:
        return tuple(int(x) for x in packed.split(","))


def _heads(*tables: dict[str, str]) -> dict[str, int]:
    heads: dict[str, int] = {}
    for table in tables:
        for key in table:
            n = key.count(" ") + key.count("-") + 1
            if n > 1:
                first = key.replace("-", " ").split(" ", 1)[0]
                if heads.get(first, 1) < n:
                    heads[first] = n
    return heads


@cache
def load() -> Gazetteer:
    """The gazetteer, read once per process (immutable, so caching is safe for tests)."""
    raw = resources.files("bot.geo").joinpath("data/gazetteer.json.gz").read_bytes()
    data = json.loads(gzip.decompress(raw))
    rows = data["places"]
    places = tuple(Place(r[0], r[3], r[4], r[1], r[2]) for r in rows)
    flagged: dict[str, list[int]] = {"s": [], "a": [], "u": [], "o": []}
    for i, r in enumerate(rows):
        for flag in r[6]:  # most rows have no flags: one pass instead of one per flag
            flagged[flag].append(i)
    return Gazetteer(
        places=places,
        raion=tuple(r[5] for r in rows),
        stop=frozenset(flagged["s"]),
        adjectival=frozenset(flagged["a"]),
        urban=frozenset(flagged["u"]),
        old=frozenset(flagged["o"]),
        foreign=next(i for i, r in enumerate(rows) if r[1] == "foreign"),
        forms=data["forms"],
        adjs=data["adjs"],
        heads=_heads(data["forms"], data["adjs"]),
        by_key={p.key: i for i, p in enumerate(places)},
    )
