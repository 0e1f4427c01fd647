"""Down to the town: whether an alert or incident is in the raion (or hromada) a chat follows.

A chat that subscribed a town follows its region "down to the town": alerts for the whole
region always come; a raion's or hromada's alert, or a post about places in another raion,
comes only when it is the chat's own raion (hromada), else it is left out or, per the chat's
setting, marked "not your raion". The gazetteer tells which raion and hromada a place lies in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, Final

from bot.geo import Place
from bot.geo.gazetteer import load
from storage import crud

MINE: Final = "mine"
OTHER: Final = "other"
_WHOLE: Final = frozenset({"region", "country", "area"})


@cache
def _index() -> tuple[dict[tuple[str, str], set[tuple[str, str]]], dict[str, str]]:
    """(name, region) → {(raion, hromada)}; and hromada code prefix → hromada name."""
    g = load()
    raion_names = {p.key: p.name_uk for p in g.places if p.level == "raion"}
    hromadas = {p.key[:9]: p.name_uk for p in g.places if p.level == "hromada"}
    where: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for i, p in enumerate(g.places):
        if p.level in ("region", "raion"):
            continue
        raion = raion_names.get(g.raion[i], "")
        hromada = p.name_uk if p.level == "hromada" else hromadas.get(p.key[:9], "")
        where.setdefault((p.name_uk, p.region), set()).add((raion, hromada))
    return where, hromadas


def followed(place: Place) -> crud.FollowedPlace:
    """What a chat following ``place`` keeps: the place with its raion and hromada."""
    g = load()
    raion = hromada = ""
    if place.level == "raion":
        raion = place.name_uk
    else:
        idx = g.by_key.get(place.key)
        if idx is not None:
            code = g.raion[idx]
            raion = next((p.name_uk for p in g.places if p.key == code), "")
        hromada = place.name_uk if place.level == "hromada" else _index()[1].get(place.key[:9], "")
    return crud.FollowedPlace(
        place.key, place.region, place.level, place.name_uk, place.name_en, raion, hromada
    )


def _name(place: Mapping[str, Any]) -> str:
    return str(place.get("name_uk") or place.get("uk") or "")


def relation(
    mine: Iterable[crud.FollowedPlace], places: Iterable[Mapping[str, Any]], region: str
) -> str:
    """:data:`MINE` when what ``places`` (an alert's area or a post's places) say about
    ``region`` concerns one of the chat's places there, or the whole region; else :data:`OTHER`."""
    own = list(mine)
    parts = [
        p for p in places if p.get("region") == region and p.get("level") not in _WHOLE and _name(p)
    ]
    if not own or not parts:
        return MINE
    where = _index()[0]
    raions = {f.raion for f in own if f.raion}
    hromadas = {f.hromada for f in own if f.hromada}
    for p in parts:
        name, level = _name(p), p.get("level")
        if level == "raion":
            if name in raions:
                return MINE
            continue
        found = where.get((name, region), set())
        if level == "hromada":
            if name in hromadas or any(
                f.level == "raion" and (f.raion, name) in found for f in own
            ):
                return MINE
            continue
        if any(raion in raions for raion, _ in found):
            return MINE
    return OTHER
