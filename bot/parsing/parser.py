"""``parse``: the text of one channel post in, its events out. Pure: no I/O, no clock."""

from __future__ import annotations

import re
from typing import Final

from bot.parsing import counts as C
from bot.parsing.damage import DAMAGE_VERB, damage_figures, new_damage
from bot.parsing.events import KINDS, NATIONWIDE, Event, PlaceRef
from bot.parsing.kinds import (
    NON_EVENT,
    STILL_ACTIVE,
    TRIGGERS,
    candidate_kinds,
    kinds_by_clause,
    may_match,
    word_matches,
)
from bot.parsing.limits import bounded, clip
from bot.parsing.live import MOVING, SUMMARY, headings, live_kinds
from bot.parsing.numbers import has_number
from bot.parsing.places import NATIONAL, Located, locate, route_places
from bot.parsing.quantity import CUMULATIVE
from bot.parsing.summary import summarise
from bot.parsing.text import Clause, clauses, normalise, strip_invisible
from bot.parsing.tokens import tokenize

_RAIL: Final = re.compile(
    r"(?<!\w)(?:поїзд|потяг|укрзалізниц|залізниц|рейс|електричк|інтерсіті|поезд)|\btrains?\b|\brail"
)
_ATTACKS: Final = frozenset({"shelling", "drones", "missiles", "airstrike", "explosions"})
# An attack told in passing, as the background of what the post reports ("через постійні
# обстріли", "наслідками обстрілів", "без світла після вчорашньої атаки", "previous attacks"):
# not a new event of that kind. "Внаслідок обстрілу пошкоджено колію" is one: it states it.
_BACKGROUND: Final = re.compile(
    r"(?:(?<![\w'])(?:через (?:постійн|регулярн|систематичн|щоденн|численн|безперервн|неодноразов)\w*"
    r"|(?:зумовлен\w*|спричинен\w*|через) наслідк\w*|наслідками"
    r"|після (?:вчорашн|учорашн|попередн|минул|недавн)\w*|попередн\w*)"
    r"[^.!?\n]{0,40}?(?:обстріл|атак|удар|\w*бпла|дрон|ракет)"
    r"|\b(?:previous|earlier|recent|yesterday's|last week's)\b[^.!?\n]{0,30}?\b(?:attacks?|strikes?|shelling)"
    r")[^.!?\n,;:–—]{0,30}"  # the rest of its noun group: "атаки дронів"
)
_BACKGROUND_HINTS: Final = (
    "постійн",
    "регулярн",
    "систематичн",
    "щоденн",
    "численн",
    "безперервн",
    "неодноразов",
    "наслідк",
    "вчорашн",
    "учорашн",
    "попередн",
    "минул",
    "недавн",
    "previous",
    "earlier",
    "recent",
    "yesterday",
    "last week",
)
# The railway's own traction supply ("знеструмлення контактної мережі"), not consumers' power.
_TRACTION: Final = re.compile(
    r"(?<![\w'])(?:контактн\w* мереж|тягов\w* (?:підстанц|мереж|живлен)|електротяг)"
    r"|\b(?:on the line|overhead lines?|catenary|traction)\b"
)
# "У зв'язку з ракетною атакою – у <oblasts> введені аварійні відключення": the cause is a
# separate event, not placed in the outage regions.
# The cause is the attack and its target ("атаки дронів на Одещину"); places after it are the
# consequence's.
_CAUSE_FIRST: Final = re.compile(
    r"\W*(?:у зв'язку з|в зв'язку з|через|внаслідок|унаслідок|після|due to|because of|following|"
    r"after|as a result of)\s+(?:[\w'-]+\s+){0,4}?(?:атак|обстріл|удар|attack|strike|shelling|"
    r"bombardment)\w*(?:\s+(?:[\w'-]+\s+){0,2}?(?:бпла|дрон|ракет|шахед|drone|missile)\w*)?"
    r"(?:\s+(?:на|по|on|against)\s+[^,–—:;]*)?"
)
_POWER_KINDS: Final = frozenset({"power_outage", "outage_schedule", "power_restored"})
# A denial of a rumour ("Інформація про скасування поїздів не відповідає дійсності", "це фейк"):
# the kinds named only in the rumour's clauses are not events.
_DENIAL: Final = re.compile(
    r"(?<![\w'])(?:фейк|не відповіда\w* дійсності|неправдив\w*|спростов\w*|вигадк\w*)"
    r"|\b(?:fake|untrue|not true|false reports?|rumou?rs? (?:are|is) (?:false|untrue))\b"
)
_DENIAL_HINTS: Final = ("фейк", "дійсн", "неправдив", "спростов", "вигадк", "fake", "true", "false")
_RUMOUR: Final = re.compile(
    r"(?<![\w'])(?:інформаці|чутк|повідомлен|публікаці|допис)|\b(?:rumou?r|reports?|claims?|posts?)\b"
)
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

# Literal words that each weapon's pattern needs: a substring test rules most weapons out far
# faster than running its pattern (one search of a long post costs more than all the tests).
_WEAPON_HINTS: Final[dict[str, tuple[str, ...]]] = {
    "shahed": ("шахед", "shahed", "герань", "geran"),
    "gerbera": ("гербер", "gerbera"),
    "ballistic": ("балісти", "ballistic", "іскандер", "iskander", "кн-23", "kn-23"),
    "cruise": ("крилат", "cruise", "х-101", "х-555", "калібр", "kalibr"),
    "kinzhal": ("кинджал", "kinzhal", "х-47"),
    "kab": ("каб", "авіабомб", "glide bomb", "guided bomb"),
    "mlrs": ("рсзв", "mlrs", "град"),
    "artillery": ("артилер", "artillery", "міномет", "mortar"),
    "fpv": ("fpv", "фпв"),
}


def _weapons(body: str) -> tuple[str, ...]:
    """The weapons the text names, in :data:`_WEAPONS` order."""
    return tuple(
        name
        for name, rx in _WEAPONS
        if any(h in body for h in _WEAPON_HINTS[name]) and rx.search(body)
    )


def parse(
    text: str, source_kind: str | None = None, default_region: str | None = None
) -> list[Event]:
    """The events that one post reports (``shared/contracts/parse.md``), at most one per kind.

    ``source_kind`` is the channel's kind (air_force, alerts, governor, railway, energy, news);
    ``default_region`` the ISO code of a regional channel, used when the post names no region.
    """
    text = clip(text)  # every caller gets the cap: no post needs more, and time stays bounded
    text = strip_invisible(text)  # before any offset is taken: they are all into the cleaned text
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
    found = _post_filters(found, norm, source_kind, per_clause, parts)
    if not found:
        return []
    located = _locate(text, norm, default_region, cut if still else None)
    effective = _effective(per_clause, found)
    national = source_kind == "air_force" and (
        _SUMMARY.search(norm) is not None or SUMMARY.search(norm) is not None
    )
    regions = _regions_by_kind(
        found, parts, effective, located, text, default_region, national=national
    )
    if found & _POWER_KINDS and found & _ATTACKS:
        _unplace_causes(regions, found, parts, per_clause, located, default_region)
    if national or (any(h in norm for h in _NATIONAL_HINTS) and NATIONAL.search(norm[:cut])):
        for kind in found:
            regions[kind].add(NATIONWIDE)
    numbers = C.train_numbers(norm[:cut]) if "train_delay" in found else ()
    tally = _count(parts, per_clause, found, text, norm[:cut], numbers)
    night = _NIGHT_OF.findall(norm) if ("ніч" in norm or "overnight" in norm) else []
    times = tuple(dict.fromkeys([*night, *(_TIME_TEXT.findall(norm) if ":" in norm else ())]))
    armed = found & (C.WEAPON_KINDS | {"shelling"})
    body = norm[:cut]
    weapons = _weapons(body) if armed else ()
    refs = list(
        dict.fromkeys(
            PlaceRef(p.place.name_uk, p.place.name_en, p.place.level, p.place.region)
            for p in located
        )
    )
    live = live_kinds(found, body, source_kind)
    # Where a threat is heading matters while it is in flight; a report keeps its regions only.
    heading = headings(text, parts, effective, located) if live & MOVING and located else {}
    for kind, regs_to in heading.items():
        regions[kind] |= regs_to
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
                live=kind in live,
                heading=tuple(sorted(heading.get(kind, ()))),
                train_numbers=numbers if kind == "train_delay" else (),
            )
        )
    return events


def _post_filters(
    found: set[str],
    norm: str,
    source_kind: str | None,
    per_clause: list[set[str]],
    parts: list[Clause],
) -> set[str]:
    if "train_delay" in found and source_kind != "railway" and not _RAIL.search(norm):
        found.discard("train_delay")
    if any(h in norm for h in _DENIAL_HINTS) and _DENIAL.search(norm):
        found -= _denied(found, per_clause, [c.text for c in parts])
    if found & _ATTACKS and any(h in norm for h in _BACKGROUND_HINTS):
        found -= _background_attacks(found & _ATTACKS, norm)
    if source_kind == "railway" and "power_outage" in found and _TRACTION.search(norm):
        found.discard("power_outage")
    if {"air_alert_start", "air_alert_end"} <= found and not any(
        "air_alert_start" in k and "air_alert_end" not in k for k in per_clause
    ):
        found.discard("air_alert_start")
    return found


def _denied(found: set[str], per_clause: list[set[str]], texts: list[str]) -> set[str]:
    """Kinds named only in clauses that retell a rumour or deny it."""
    rumour = [bool(_RUMOUR.search(t) or _DENIAL.search(t)) for t in texts]
    return {
        kind
        for kind in found
        if all(r for kinds, r in zip(per_clause, rumour, strict=True) if kind in kinds)
    }


def _background_attacks(attacks: set[str], norm: str) -> set[str]:
    """Attack kinds whose every mention lies in a background-cause phrase."""
    spans = [(m.start(), m.end()) for m in _BACKGROUND.finditer(norm)]
    if not spans:
        return set()
    return {
        kind
        for kind in attacks
        if all(any(a <= pos < b for a, b in spans) for pos in word_matches(TRIGGERS[kind], norm))
    }


def _locate(
    text: str, norm: str, default_region: str | None, still_at: int | None
) -> list[Located]:
    """Places of the post; after a "still under alert" list only its closing hashtags count.

    A partial all-clear ("🟡 Відбій тривоги", then "Тривога ще триває у: …", then
    ``#Сумська_область``) names its own place only in the hashtag.
    """
    if still_at is None or "#" not in norm[still_at:]:
        return locate(text, norm, default_region, still_at)
    tags = [m.span() for m in _HASHTAG.finditer(norm, still_at)]
    return [
        p
        for p in locate(text, norm, default_region, None)
        if p.start < still_at or any(a <= p.start < b for a, b in tags)
    ]


_HASHTAG: Final = re.compile(r"#[\w'-]+")


def _effective(per_clause: list[set[str]], found: set[str]) -> list[set[str]]:
    """Each clause's kinds; a clause without a trigger continues the one before it
    ("Курс — на Бердичів."); clauses before the first trigger are a dateline ("Харків.") that
    applies to every kind."""
    effective: list[set[str]] = []
    previous: set[str] | None = None
    for kinds in per_clause:
        if kinds:
            previous = kinds
            effective.append(kinds)
        else:
            effective.append(set(found) if previous is None else previous)
    return effective


def _unplace_causes(
    regions: dict[str, set[str]],
    found: set[str],
    parts: list[Clause],
    per_clause: list[set[str]],
    located: list[Located],
    default_region: str | None,
) -> None:
    """An attack named first as the cause of outages is not placed in the outage regions."""
    for clause, kinds in zip(parts, per_clause, strict=True):
        attacks = kinds & _ATTACKS
        if not attacks or not kinds & _POWER_KINDS:
            continue
        m = _CAUSE_FIRST.match(clause.text)
        if m is None:
            continue
        cause_end = clause.start + m.end()
        inside = {p.place.region for p in located if clause.start <= p.start < cause_end}
        after = {p.place.region for p in located if cause_end <= p.start < clause.end} - inside
        for kind in attacks:
            if not any(
                kind in k for k, c in zip(per_clause, parts, strict=True) if c is not clause
            ):
                regions[kind] -= after
                if not regions[kind]:
                    regions[kind].add(default_region or NATIONWIDE)


def _regions_by_kind(
    found: set[str],
    parts: list[Clause],
    effective: list[set[str]],
    located: list[Located],
    text: str,
    default_region: str | None,
    *,
    national: bool = False,
) -> dict[str, set[str]]:
    """Each kind's regions: those named in its clauses; else all the post names; else the default.

    In a nationwide summary a kind whose clauses name no place ("влучання на 9 локаціях") is
    the country's, not the places named for the other kinds.
    """
    route = route_places(text, located)
    out: dict[str, set[str]] = {k: set() for k in found}
    non_route = [p for i, p in enumerate(located) if i not in route]
    for p in non_route:
        for clause, kinds in zip(parts, effective, strict=True):
            if clause.start <= p.start < clause.end:
                for kind in kinds & found:
                    out[kind].add(p.place.region)
    everything = set() if national else {p.place.region for p in non_route}
    # A route's end stations place only a delay (contract rule 5), never the damage or the attack.
    ends = {located[i].place.region for i in route}
    for kind, regs in out.items():
        if not regs:
            regs.update(
                everything
                or (ends if kind == "train_delay" else set())
                or {default_region or NATIONWIDE}
            )
    return out


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
    parts: list[Clause],
    per_clause: list[set[str]],
    found: set[str],
    text: str,
    body: str,
    numbers: tuple[str, ...] = (),
) -> C.Tally:
    tally = C.new_tally()
    figures = C.new_figures()
    damage = new_damage()
    headlines = [_is_headline(text, c) for c in parts]
    skip_headlines = not all(headlines)
    previous: set[str] = set()
    armed = bool(found & C.WEAPON_KINDS)
    hurt = "casualties" in found
    damaged = "damage" in found
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
        if not (armed or hurt or damaged or effective & _POWER):
            continue  # no figure rule reads this clause: make no tokens for it
        # A lone noun is a figure of damage ("пошкоджено адмінбудівлю"): no number needed.
        wrecked = damaged and "damage" in kinds and DAMAGE_VERB.search(clause.text) is not None
        counted = "casualties" in kinds or has_number(clause.text)
        if not (counted or wrecked):
            continue
        if CUMULATIVE.search(clause.text):
            continue  # a war-long or weekly total is no figure of this event
        tokens = tokenize(body, clause.start, clause.end)  # only the clauses that are read
        if wrecked:
            damage_figures(tokens, damage)
        if not counted:
            continue
        if armed:
            C.attack_figures(tokens, figures, kinds, carry or "launched")
        if "casualties" in found:  # a follow-up's toll may sit in a clause of its own
            C.casualty_figures(tokens, tally)
        if effective & _POWER:
            C.consumer_figures(
                tokens, tally, restored="power_restored" in kinds, people="casualties" not in kinds
            )
    _attack_tally(figures, found & C.WEAPON_KINDS, tally)
    for field, values in damage.items():
        tally["damage"][field] = C.combine(values)
    if "train_delay" in found:
        delay = C.delay_minutes(body)
        if delay:
            tally["train_delay"]["delay_minutes"] = delay
        trains = C.train_count(body, numbers)
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
