"""Where a post places its events: gazetteer mentions, minus launch sites and "still under alert" lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.geo.matcher import Mention, Place, find_mentions, resolve

# Spans whose places are not places of the event: launch directions ("з напрямків: Курськ,
# Міллерово…"); they run to the end of their sentence.
_LAUNCH_SITES: Final = re.compile(
    r"(?<!\w)(?:з|із|зі)\s+напрямк\w*|(?<!\w)пуски?\s+(?:\w+\s+){0,2}з(?!\w)|\bfrom the directions?\b"
    r"|\blaunched from\b|(?<!\w)с\s+направлени\w*|(?<!\w)звідки\b"
)
_LAUNCH_HINTS: Final = ("напрям", "пуск", "from", "launched", "направлен", "звідки")
_SENTENCE_END: Final = re.compile(r"[.!?\n]")
NATIONAL: Final = re.compile(
    r"(?<!\w)(?:вся україна|всій україні|всієї україни|по всій території|усій території|"
    r"більшості регіонів|всіх регіонах|усіх регіонах|по україні|all (?:of )?ukraine|nationwide|"
    r"across (?:the )?ukraine|across the country|most regions)"
)


# "у столиці", "in the capital": Kyiv city, unless another country's capital is meant.
_CAPITAL: Final = re.compile(
    r"(?<!\w)столиц(?:я|і|ю|ею)(?! (?:рф|росії|білорусі))(?!\w)|\b(?:the|ukraine's|ukrainian) capital\b"
)
_KYIV_CITY: Final = Place("region:UA-30", "Київ", "Kyiv", "city", "UA-30")


# Towns named like common first names: "Governor Volodymyr Kohut", "Володимир Зеленський".
_FIRST_NAMES: Final = frozenset({"володимир", "volodymyr", "олександрія", "oleksandriia"})
_SURNAME_NEXT: Final = re.compile(r"\s+[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ'’-]+")


def _is_person(text: str, norm: str, start: int, end: int) -> bool:
    """A place mention that is a first name followed by a surname."""
    return norm[start:end] in _FIRST_NAMES and _SURNAME_NEXT.match(text, end) is not None


@dataclass(frozen=True, slots=True)
class Located:
    """A resolved place with the span of the original text that names it."""

    start: int
    end: int
    place: Place


def excluded_spans(norm: str, still_active_at: int | None) -> list[tuple[int, int]]:
    """Spans of the normalised text whose places must not be taken as places of the event."""
    spans: list[tuple[int, int]] = []
    launch = any(w in norm for w in _LAUNCH_HINTS)
    for m in _LAUNCH_SITES.finditer(norm) if launch else ():
        end = _SENTENCE_END.search(norm, m.end())
        spans.append((m.start(), end.start() if end else len(norm)))
    if still_active_at is not None:
        spans.append((still_active_at, len(norm)))
    return spans


def locate(
    text: str, norm: str, default_region: str | None, still_active_at: int | None
) -> list[Located]:
    """Resolved places of the post outside excluded spans, in text order."""
    spans = excluded_spans(norm, still_active_at)

    def inside(m: Mention) -> bool:
        return any(a <= m.start < b for a, b in spans)

    mentions = [m for m in find_mentions(text, norm=norm) if not inside(m)]
    context = {default_region} if default_region else set()
    located = [
        Located(m.start, m.end, p)
        for m, p in resolve(mentions, context, text)
        if not _is_person(text, norm, m.start, m.end)
    ]
    if "столиц" in norm or "capital" in norm:
        located += [
            Located(m.start(), m.end(), _KYIV_CITY)
            for m in _CAPITAL.finditer(norm)
            if not any(a <= m.start() < b for a, b in spans)
        ]
        located.sort(key=lambda p: p.start)
    return located


def route_places(text: str, located: list[Located]) -> set[int]:
    """Indexes of places that are ends of a route "Київ – Кривий Ріг" (joined by a dash)."""
    route: set[int] = set()
    for a in range(len(located) - 1):
        gap = text[located[a].end : located[a + 1].start]
        if re.fullmatch(r"\s*[-–—]\s*", gap):
            route.update((a, a + 1))
    return route
