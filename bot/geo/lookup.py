"""Place lookup for a user typing a name in /subscribe: exact forms first, then small typos."""

from __future__ import annotations

from functools import cache

from bot.geo.gazetteer import LEVEL_RANK, Place, load
from bot.geo.matcher import find_mentions
from bot.geo.matcher_text import normalise_key, strip_invisible


@cache
def _names() -> dict[str, tuple[int, ...]]:
    """Nominative names (uk and en, without "район"/"громада") → place indices, for fuzzy search."""
    g = load()
    out: dict[str, list[int]] = {}
    for i, p in enumerate(g.places):
        if p.level in ("village", "foreign"):
            continue
        for name in (p.name_uk, p.name_en):
            key = normalise_key(name.removesuffix(" район").removesuffix(" громада"))
            for suffix in (" raion", " hromada", " district", " oblast", " city"):
                key = key.removesuffix(suffix)
            if key:
                out.setdefault(key, []).append(i)
    return {k: tuple(v) for k, v in out.items()}


def _within(a: str, b: str, k: int) -> int | None:
    """Levenshtein distance of a and b if at most k (banded), else None."""
    if abs(len(a) - len(b)) > k:
        return None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > k:
            return None
        prev = cur
    return prev[-1] if prev[-1] <= k else None


def lookup(query: str, limit: int = 10) -> list[Place]:
    """Best candidate places for a typed name, most likely first (regions, then cities, …)."""
    g = load()
    query = strip_invisible(query)
    key = normalise_key(query)
    if not key:
        return []
    found: dict[Place, int] = {}
    packed = g.forms.get(key)
    if packed is not None:
        for i in g.ids(packed):
            found.setdefault(g.places[i], 0)
    for m in find_mentions(query, require_capital=False):
        if m.start == 0 and m.end >= len(query.rstrip(" .")):
            for p in m.candidates:
                found.setdefault(p, 0)
    if not found and len(key) >= 5:
        k = 1 if len(key) < 8 else 2
        for name, ids in _names().items():
            d = _within(key, name, k)
            if d is not None:
                for i in ids:
                    found.setdefault(g.places[i], d)
    found = {p: d for p, d in found.items() if p.level != "foreign"}
    ranked = sorted(found, key=lambda p: (found[p], LEVEL_RANK[p.level], p.name_uk))
    return ranked[:limit]
