"""``parse``: the text of one channel post in, its events out. Pure: no I/O, no clock."""

from __future__ import annotations

import re
from typing import Final

from bot.parsing import counts as C
from bot.parsing.events import KINDS, NATIONWIDE, Event, PlaceRef
from bot.parsing.kinds import NON_EVENT, STILL_ACTIVE, candidate_kinds, kinds_by_clause, may_match
from bot.parsing.limits import bounded, clip
from bot.parsing.numbers import has_number
from bot.parsing.places import NATIONAL, Located, locate, route_places
from bot.parsing.quantity import CUMULATIVE
from bot.parsing.summary import summarise
from bot.parsing.text import Clause, clauses, normalise
from bot.parsing.tokens import tokenize

_RAIL: Final = re.compile(
    r"(?<!\w)(?:поїзд|потяг|укрзалізниц|залізниц|рейс|електричк|інтерсіті|поезд)|\btrains?\b|\brail"
)
# Railway posts report consequences; the attack that caused them is another channel's event.
_NOT_FROM_RAILWAY: Final = frozenset({"shelling", "drones", "missiles", "airstrike", "explosions"})
_SUMMARY: Final = re.compile(
    r"(?<!\w)(?:у ніч на|в ніч на|протягом ночі|засобів повітряного нападу|противник атакував|"
    r"комбінованого удару)|\bovernight\b|\bduring the night\b"
)
_NATIONAL_HINTS: Final = (
    "україн",
    "регіон",
    "територі",
    "ukrain",
    "nationwide",
    "countr",
    "regions",
)
_TIME_TEXT: Final = re.compile(r"(?<![\d:])(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])")
_NIGHT_OF: Final = re.compile(r"(?<!\w)(?:у|в) ніч на \d{1,2} [а-яії]+|\bovernight\b")
_WEAPONS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (name, re.compile(rx))
    for name, rx in (
        ("shahed", r"шахед|shahed|герань|geran"),
        ("gerbera", r"гербер|gerbera"),
        ("ballistic", r"балісти|ballistic|іскандер|iskander|кн-23|kn-23"),
        ("cruise", r"крилат|cruise|х-101|х-555|калібр|kalibr"),
        ("kinzhal", r"кинджал|kinzhal|х-47"),
        ("kab", r"(?<!\w)каб(?:и|ів|ом|ами|ам|у|а)?(?!\w)|авіабомб|glide bomb|guided bomb"),
        ("mlrs", r"рсзв|mlrs|(?<!\w)град(?:и|ів|ами)?(?!\w)"),
        ("artillery", r"артилер|artillery|міномет|mortar"),
        ("fpv", r"fpv|фпв"),
    )
)

_ANY_WEAPON: Final = re.compile("|".join(f"(?:{rx.pattern})" for _, rx in _WEAPONS))


def parse(
    text: str, source_kind: str | None = None, default_region: str | None = None
) -> list[Event]:
    """The events that one post reports (``shared/contracts/parse.md``), at most one per kind.

    ``source_kind`` is the channel's kind (air_force, alerts, governor, railway, energy, news);
    ``default_region`` the ISO code of a regional channel, used when the post names no region.
    """
    text = clip(text)  # every caller gets the cap: no post needs more, and time stays bounded
    if not text or not text.strip():
        return []
    norm = normalise(text)
    candidates = candidate_kinds(norm)
    if not candidates or (may_match(NON_EVENT, norm) and NON_EVENT.search(norm)):
        return []
    still = STILL_ACTIVE.search(norm) if may_match(STILL_ACTIVE, norm) else None
    cut = still.start() if still else len(norm)
    parts = clauses(norm[:cut])
    per_clause = kinds_by_clause(norm, [(c.start, c.end) for c in parts], candidates)
    found: set[str] = set().union(*per_clause) if per_clause else set()
    found = _post_filters(found, norm, source_kind, per_clause)
    if not found:
        return []
    located = locate(text, norm, default_region, still.start() if still else None)
    regions = _regions_by_kind(found, parts, per_clause, located, text, default_region)
    if (
        source_kind == "railway"
        and "power_outage" in found
        and not _named_outside_routes("power_outage", parts, per_clause, located, text)
    ):
        # "a power outage on the line" is the railway's own traction supply, not consumers.
        found.discard("power_outage")
    if (source_kind == "air_force" and _SUMMARY.search(norm)) or (
        any(h in norm for h in _NATIONAL_HINTS) and NATIONAL.search(norm[:cut])
    ):
        for kind in found:
            regions[kind].add(NATIONWIDE)
    tally = _count(parts, per_clause, found, text, norm[:cut])
    night = _NIGHT_OF.findall(norm) if ("ніч" in norm or "overnight" in norm) else []
    times = tuple(dict.fromkeys([*night, *(_TIME_TEXT.findall(norm) if ":" in norm else ())]))
    armed = found & (C.WEAPON_KINDS | {"shelling"})
    body = norm[:cut]
    weapons = (
        tuple(name for name, rx in _WEAPONS if rx.search(body))
        if armed and _ANY_WEAPON.search(body)
        else ()
    )
    refs = list(
        dict.fromkeys(
            PlaceRef(p.place.name_uk, p.place.name_en, p.place.level, p.place.region)
            for p in located
        )
    )
    events: list[Event] = []
    for kind in KINDS:
        if kind not in found:
            continue
        regs = tuple(sorted(regions[kind]))
        places = tuple(r for r in refs if r.region in regions[kind])
        counts = bounded(tally.get(kind, {}))
        kind_weapons = weapons if kind in C.WEAPON_KINDS or kind == "shelling" else ()
        events.append(
            Event(
                kind=kind,
                regions=regs,
                counts=counts,
                places=places,
                weapons=kind_weapons,
                times=times,
                summary=summarise(kind, regs, counts, places),
            )
        )
    return events


def _post_filters(
    found: set[str], norm: str, source_kind: str | None, per_clause: list[set[str]]
) -> set[str]:
    if "train_delay" in found and source_kind != "railway" and not _RAIL.search(norm):
        found.discard("train_delay")
    if source_kind == "railway":
        found -= _NOT_FROM_RAILWAY
    if {"air_alert_start", "air_alert_end"} <= found and not any(
        "air_alert_start" in k and "air_alert_end" not in k for k in per_clause
    ):
        found.discard("air_alert_start")
    return found


def _regions_by_kind(
    found: set[str],
    parts: list[Clause],
    per_clause: list[set[str]],
    located: list[Located],
    text: str,
    default_region: str | None,
) -> dict[str, set[str]]:
    """Each kind's regions: those named in its clauses; else all the post names; else the default.

    A clause without a trigger continues the one before it ("Курс — на Бердичів."); clauses
    before the first trigger are a dateline ("Харків.") that applies to every kind.
    """
    route = route_places(text, located)
    effective: list[set[str]] = []
    previous: set[str] | None = None
    for kinds in per_clause:
        if kinds:
            previous = kinds
            effective.append(kinds)
        else:
            effective.append(set(found) if previous is None else previous)
    out: dict[str, set[str]] = {k: set() for k in found}
    non_route = [p for i, p in enumerate(located) if i not in route] or located
    for p in non_route:
        for clause, kinds in zip(parts, effective, strict=True):
            if clause.start <= p.start < clause.end:
                for kind in kinds & found:
                    out[kind].add(p.place.region)
    everything = {p.place.region for p in non_route}
    for regs in out.values():
        if not regs:
            regs.update(everything or {default_region or NATIONWIDE})
    return out


def _named_outside_routes(
    kind: str, parts: list[Clause], per_clause: list[set[str]], located: list[Located], text: str
) -> bool:
    route = route_places(text, located)
    return any(
        kind in kinds and c.start <= p.start < c.end
        for c, kinds in zip(parts, per_clause, strict=True)
        for i, p in enumerate(located)
        if i not in route
    )


_LETTER = re.compile(r"[^\W\d_]")
_LOWER = re.compile(r"[a-zа-яіїєґё]")
_CAPS_RUN = re.compile(r"[A-ZА-ЯІЇЄҐЁ]{4}")


def _is_headline(text: str, clause: Clause) -> bool:
    """An all-caps line that repeats the body's totals ("ЗБИТО 430 БпЛА ТА 21 РАКЕТУ")."""
    original = text[clause.start : clause.end]
    if not _CAPS_RUN.search(original):
        return False
    letters = len(_LETTER.findall(original))
    return letters >= 12 and len(_LOWER.findall(original)) / letters < 0.2


_POWER: Final = frozenset({"power_outage", "power_restored"})
# A line of a list: a bullet, a dash or an emoji before the figure ("🔹 2 ракети", "– 73 БпЛА").
_LIST_ITEM: Final = re.compile(r"\s*(?:[^\w\s]\S*\s*)?\d")


def _count(
    parts: list[Clause], per_clause: list[set[str]], found: set[str], text: str, body: str
) -> C.Tally:
    tally = C.new_tally()
    figures = C.new_figures()
    headlines = [_is_headline(text, c) for c in parts]
    skip_headlines = not all(headlines)
    previous: set[str] = set()
    armed = bool(found & C.WEAPON_KINDS)
    hurt = "casualties" in found
    carry: str | None = None  # the verb of a header line ("збито/подавлено:") for its list
    for clause, kinds, headline in zip(parts, per_clause, headlines, strict=True):
        if headline and skip_headlines:
            continue
        if armed:
            carry = C.header_mode(clause.text) or (carry if _LIST_ITEM.match(clause.text) else None)
        effective = kinds or previous
        previous = effective
        if not effective:
            continue  # a dateline before the first trigger states no figures
        if not (armed or hurt or effective & _POWER):
            continue  # no figure rule reads this clause: make no tokens for it
        if "casualties" not in kinds and not has_number(clause.text):
            continue
        if CUMULATIVE.search(clause.text):
            continue  # a war-long or weekly total is no figure of this event
        tokens = tokenize(body, clause.start, clause.end)  # only the clauses that are read
        if armed:
            C.attack_figures(tokens, figures, kinds, carry or "launched")
        if "casualties" in found:  # a follow-up's toll may sit in a clause of its own
            C.casualty_figures(tokens, tally)
        if effective & _POWER:
            C.consumer_figures(
                tokens, tally, restored="power_restored" in kinds, people="casualties" not in kinds
            )
    _attack_tally(figures, found & C.WEAPON_KINDS, tally)
    if "train_delay" in found:
        delay = C.delay_minutes(body)
        if delay:
            tally["train_delay"]["delay_minutes"] = delay
        trains = C.train_count(body)
        if trains:
            tally["train_delay"]["trains"] = trains
    return tally


def _attack_tally(figures: C.Figures, weapon_kinds: set[str], tally: C.Tally) -> None:
    """Combine each weapon's figures; hand the unattributed ones to the post's only weapon."""
    sole = weapon_kinds & {"drones", "missiles"}
    only = next(iter(sole)) if len(sole) == 1 else None
    for (kind, mode), values in figures.items():
        if kind in weapon_kinds:
            tally[kind][mode] = C.combine(values)
    for (kind, mode), values in figures.items():
        if kind == "_any":
            for weapon in weapon_kinds:
                tally[weapon][mode] = tally[weapon].get(mode, 0) + C.combine(values)
        elif kind in ("_generic", "_bare") and only is not None:
            tally[only].setdefault(mode, max(values) if kind == "_generic" else C.combine(values))
