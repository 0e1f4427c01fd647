"""Where a post places its events: gazetteer mentions, minus launch sites and "still under alert" lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.geo import REGIONS, Mention, Place, find_mentions, resolve

# Spans whose places are not places of the event: launch areas ("з напрямків: Курськ, Міллерово…",
# "район пуску", "launched … from"); they run to the end of their sentence or to where the
# heading starts ("… курсом на Київщину").
# (substring that must be present, pattern): a pattern is tried only on posts with its substring.
_LAUNCH_SITES: Final = tuple(
    (hint, re.compile(rx))
    for hint, rx in (
        ("напрямк", r"(?<!\w)(?:з|із|зі)\s+напрямк\w*"),
        ("пуск", r"(?<!\w)пуски?\s+(?:\w+\s+){0,2}з(?!\w)|(?<!\w)район\w*\s+пуск\w*"),
        ("from", r"\bfrom the directions?\b|\blaunched\b(?:\s+[\w,-]+){0,6}?\s+from\b"),
        ("launch", r"\blaunch (?:area|site)s?\b"),
        ("направлен", r"(?<!\w)с\s+направлени\w*"),
        ("звідки", r"(?<!\w)звідки\b"),
    )
)
_LAUNCH_END: Final = re.compile(
    r"[!?\n;]|\.(?=\s*$|\s+[A-ZА-ЯІЇЄҐ])|(?i:\bкурс(?:ом|и)?\b|(?<!\w)(?:в|у)\s+напрямк\w*|(?<!\w)у\s+бік\b"
    r"|\btowards?\b|\bheading\b)"
)
# Launch sites named on their own, at any place in the post: "з (тимчасово окупованого) Криму",
# "ТОТ Донецьк", "– ТОТ АР Крим", "from occupied Crimea".
_LAUNCH_PLACE: Final = re.compile(
    r"(?<!\w)(?:з|із|зі)\s+(?:тимчасово\s+)?(?:окупованого\s+)?(?:ар\s+|автономної\s+республіки\s+)?"
    r"криму\b|(?<!\w)тот\s+(?:ар\s+)?[\w'-]+|(?<!\w)(?:з|із)\s+(?:тимчасово\s+)?окупован\w+\s+"
    r"(?:території\s+|частини\s+)?[\w'-]+|\bfrom\s+(?:the\s+)?(?:temporarily\s+)?"
    r"(?:russian-)?occupied\s+(?:crimea|[\w'-]+)|\bfrom\s+(?:the\s+)?crimea(?:n peninsula)?\b"
)
_LAUNCH_PLACE_HINTS: Final = ("криму", "тот ", "from", "окупован")
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
_KYIV_OBLAST: Final = Place("region:UA-32", "Київська область", "Kyiv oblast", "region", "UA-32")
# "у Києві та області", "Київ і область", "Kyiv and the region": the city and its oblast.
_AND_REGION: Final = re.compile(
    r"\s*,?\s*(?:та|і|й|and)\s+(?:у\s+|в\s+|на\s+|the\s+)?(?:київськ\w*\s+|kyiv\s+)?"
    r"(?:області|область|обл\b\.?|передмісті|передмістях|(?:region|oblast|suburbs)\b"
    r"|surrounding (?:region|area)\b)"
)
# A threat "з акваторії Чорного моря в напрямку Південного": a name shared by several places means
# the one on that sea's coast.
_SEAS: Final = (
    (
        re.compile(r"чорн\w+ мор|\bblack sea\b"),
        frozenset({"UA-51", "UA-48", "UA-65", "UA-23", "UA-43", "UA-40"}),
    ),
    (re.compile(r"азовськ\w+ мор|\b(?:sea of )?azov\b"), frozenset({"UA-23", "UA-14", "UA-43"})),
)


# Towns named like common first names: "Governor Volodymyr Kohut", "Володимир Зеленський".
_FIRST_NAMES: Final = frozenset({"володимир", "volodymyr", "олександрія", "oleksandriia"})
_SURNAME_NEXT: Final = re.compile(r"\s+[A-ZА-ЯІЇЄҐ][a-zа-яіїєґ'’-]+")


def _is_person(text: str, norm: str, start: int, end: int) -> bool:
    """A place mention that is a first name followed by a surname."""
    return norm[start:end] in _FIRST_NAMES and _SURNAME_NEXT.match(text, end) is not None


# A post cut off inside its last word ("курсом на Полтавщ"): a word of 4+ letters that starts
# exactly one region's informal name is that region; anything shorter or shared is dropped.
_INFORMAL: Final = tuple(
    (r.short_uk.lower(), Place("region:" + code, r.name_uk, r.name_en, "region", code))
    for code, r in REGIONS.items()
    if code not in ("UA-30", "UA-40")
)


def _cut_off_region(text: str, norm: str, located: list[Located]) -> Located | None:
    """The region a cut-off last word begins to name, if exactly one."""
    end = len(norm) - (3 if norm.endswith("...") else 1 if norm.endswith("…") else 0)
    start = end
    while start > 0 and (norm[start - 1].isalpha() or norm[start - 1] == "'"):
        start -= 1
    word = norm[start:end]
    if len(word) < 4 or not text[start].isupper() or (located and located[-1].end > start):
        return None
    hits = [p for name, p in _INFORMAL if name.startswith(word) and name != word]
    return Located(start, end, hits[0]) if len(hits) == 1 else None


@dataclass(frozen=True, slots=True)
class Located:
    """A resolved place with the span of the original text that names it."""

    start: int
    end: int
    place: Place


# "Суджа (рф)", "Глушково – рф": a name marked as Russian (or Belarusian) is not a Ukrainian place,
# whatever village of Ukraine shares it.
_FOREIGN_MARK: Final = re.compile(
    r"\s*(?:обл\.?\s*|області\s*|область\s*)?(?:\(\s*(?:рф|росія|росії|рб|білорусь|russia|rf|belarus)\s*\)"
    r"|[-–—]\s*(?:рф|рб)\b)"
)
_HASHTAG: Final = re.compile(r"(?<![\w#])#[^\W\d_]")
_ABBREVIATION: Final = re.compile(r"(?<!\w)(?:рф|обл|м|с|смт|р-н|ар|ім|н\.п|тис)$")


def _launch_end(text: str, norm: str, start: int) -> int:
    """Where a launch-area list that starts at ``start`` ends: a sentence end (a dot before a
    capital, not the dot of "обл." or "рф."), a line break, or a heading marker."""
    for m in _LAUNCH_END.finditer(text, start):
        if m.group(0) == "." and _ABBREVIATION.search(norm, max(0, m.start() - 5), m.start()):
            continue
        return m.start()
    return len(norm)


def excluded_spans(
    norm: str, still_active_at: int | None, text: str | None = None
) -> list[tuple[int, int]]:
    """Spans of the normalised text whose places must not be taken as places of the event.

    ``text`` is the original (for capitals after a dot); the normalised text stands in for it.
    """
    text = norm if text is None else text
    spans: list[tuple[int, int]] = []
    for hint, rx in _LAUNCH_SITES:
        if hint in norm:
            spans.extend((m.start(), _launch_end(text, norm, m.end())) for m in rx.finditer(norm))
    if any(w in norm for w in _LAUNCH_PLACE_HINTS):
        spans.extend(m.span() for m in _LAUNCH_PLACE.finditer(norm))
    if still_active_at is not None:
        # the list of places still under alert runs to the end, but for the closing hashtag
        # ("#Сумська_область"), which names the place of the all-clear itself
        tag = _HASHTAG.search(norm, still_active_at)
        spans.append((still_active_at, tag.start() if tag else len(norm)))
    return spans


def locate(
    text: str, norm: str, default_region: str | None, still_active_at: int | None
) -> list[Located]:
    """Resolved places of the post outside excluded spans, in text order."""
    spans = excluded_spans(norm, still_active_at, text)

    def inside(m: Mention) -> bool:
        return any(a <= m.start < b for a, b in spans)

    mentions = [m for m in find_mentions(text, norm=norm) if not inside(m)]
    if "рф" in norm or "рб" in norm or "(" in norm:
        mentions = [m for m in mentions if not _FOREIGN_MARK.match(norm, m.end)]
    context = {default_region} if default_region else set()
    if "мор" in norm or "sea" in norm or "azov" in norm:
        for sea, coast in _SEAS:
            if sea.search(norm):
                context |= coast
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
    if norm[-1:].isalpha() or norm.endswith(("…", "...")):  # ends inside a word, or marked cut
        cut = _cut_off_region(text, norm, located)
        if cut is not None and not any(a <= cut.start < b for a, b in spans):
            located.append(cut)
    kyiv_and_oblast = [
        Located(m.start(), m.end(), _KYIV_OBLAST)
        for p in located
        if p.place.region == "UA-30" and (m := _AND_REGION.match(norm, p.end)) is not None
    ]
    if kyiv_and_oblast:
        located = sorted(located + kyiv_and_oblast, key=lambda p: p.start)
    return located


_ROUTE_HINTS: Final = ("№", "поїзд", "потяг", "рейс", "train", "залізниц")
# "Київ-Пасажирський — Харків": a station suffix may follow the town's name.
_DASH_AFTER: Final = re.compile(r"(?:-[\w'’]+)?(?:\s*[–—]\s*|\s+-\s+)[A-ZА-ЯІЇЄҐ]")
_DASH_BEFORE: Final = re.compile(r"[^\W\d_]['’]?\)?(?:\s*[–—]\s*|\s+-\s+)$")


def route_places(text: str, located: list[Located]) -> set[int]:
    """Indexes of places that are ends of a route "Київ – Кривий Ріг" in a post about trains.

    The other end may be a station abroad or a name the gazetteer lacks ("Львів — Будапешт",
    "Перемишль – Київ"): a dash to any capitalised word makes a route end. Outside railway
    wording a dash joins places of the event ("🛵 Сумщина – Полтавщина"), not a route.
    """
    route: set[int] = set()
    if not located:
        return route
    low = text.lower()
    if not any(h in low for h in _ROUTE_HINTS):
        return route
    for a in range(len(located) - 1):
        gap = text[located[a].end : located[a + 1].start]
        if re.fullmatch(r"\s*[-–—]\s*", gap):
            route.update((a, a + 1))
    for i, p in enumerate(located):
        if i in route:
            continue
        window = max(text.rfind("\n", 0, p.start) + 1, p.start - 8)  # "Будапешт – " ends it
        if _DASH_AFTER.match(text, p.end) or _DASH_BEFORE.search(text, window, p.start):
            route.add(i)
    return route
