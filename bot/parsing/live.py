"""Threat now or report: which events are ``live``, and where a threat is ``heading``.

A person uses a live event to take cover: an alert declared or lifted, a threat notice, a drone
or missile in flight, a guided-bomb warning, explosions heard now. Summaries ("У ніч на …"),
consequences, and any attack named only as the cause of a consequence are reports.
"""

from __future__ import annotations

import re
from typing import Final

from bot.parsing.kinds import B, _rx, may_match
from bot.parsing.places import Located
from bot.parsing.text import Clause

ALERTS: Final = frozenset({"air_alert_start", "air_alert_end"})
THREATS: Final = frozenset({"drones", "missiles", "airstrike", "shelling", "explosions"})
MOVING: Final = frozenset({"drones", "missiles", "airstrike"})
# What already happened; these kinds are never live.
CONSEQUENCES: Final = frozenset(
    {"casualties", "damage", "power_outage", "outage_schedule", "power_restored", "train_delay"}
)
# Channels whose threat posts are real-time notices unless they read as a report.
_REAL_TIME_SOURCES: Final = frozenset({"air_force", "alerts"})

# A report of a period: a night's or a day's summary, a tally "станом на 08:30".
SUMMARY: Final = _rx(
    B + r"(?:у|в) ніч (?:на|з)\b",
    B + r"(?:у|в) ночі на\b",
    B + r"(?:протягом|упродовж) (?:минул\w+ |останн\w+ )?(?:ночі|доби|дня|денної|тижня|вечора)",
    B + r"за добу\b",
    B + r"за ніч\b",
    B + r"за минул\w* (?:ніч|добу)\b",
    B + r"за останн\w* (?:ніч|добу)\b",
    B + r"минул\w* (?:ночі|доби)",
    B + r"(?:вчора|учора|напередодні)\b",
    B + r"за попередніми даними",
    B + r"станом на \d",
    B + r"в ночь на\b",
    r"\b(?:overnight|last night|yesterday|during the night|earlier today)\b",
)
# What a threat already did: shot down, attacked, struck; a journalist's "said".
PAST: Final = _rx(
    B + r"(?:збито|збили|збив|знищено|знищили|знищив|подавлено|уражено|відмінусува\w*)",
    B + r"(?:атакував|атакувала|атакували|обстріляв|обстріляли|обстрілював\w*|скинув|скинули)\b",
    B + r"(?:завдав|завдали|здійснив|здійснили|здійснено|випустив|випустили|бив)\b",
    r"\b(?:shot down|intercepted|were destroyed|was destroyed|attacked|launched|killed|said|reported)\b",
)
# Words of a threat happening now: movement, a warning, shelter, air defence at work.
LIVE_CUES: Final = _rx(
    B + r"курс(?:ом)?\b",
    B + r"(?:у|в) напрямку\b",
    *(B + rf"{p} {w}\b" for p in ("у", "в") for w in ("бік", "сторону")),
    B + r"загроз",
    B + r"небезпек",
    B + r"увага\b",
    B + r"швидкісн",
    B + r"укритт",
    B + r"тривог",
    B + r"пуски?\b",
    B + r"зліт\b",
    B + r"на підльоті",
    B + r"рухаєт\w*",
    B + r"рухают\w*",
    B + r"фіксуєт\w* рух",
    B + r"(?:працює|працюють) ппо",
    B + r"ппо (?:працює|працюють)",
    B + r"(?:чути|лунають|чутно|гучно)\b",
    B + r"вибух\w* (?:у|в) (?:місті|столиці|області)\s*!",
    r"\b(?:heading|towards?|approaching|incoming|take cover|shelters?|threat|danger|warning)\b",
    r"\bair defen[cs]e (?:is |are )?(?:working|active|engaged|operating)\b",
    *(r"🛵", r"🏍", r"🚀", r"💣", r"🛬", r"☄"),
)
# Where a threat moves: "курсом на Київщину", "у напрямку Одеси", "heading for Kyiv".
_TOWARDS: Final = re.compile(
    r"(?:(?<![\w'])(?:курсом|курс|напрямок|(?:у|в) напрямку|(?:у|в) (?:бік|сторону))|"
    r"\b(?:heading|headed|moving|flying)(?: (?:for|to|towards?))?|\btowards?|\bin the direction of)"
    r"\s*(?:на\s+|до\s+|у\s+|в\s+)?(?:(?:н\.\s*п\.|м\.|смт)\s*|міст[оа]\s+|the city of\s+)?$"
)
# "БпЛА на Київщину" (accusative) heads there; "БпЛА на Київщині" (locative) is already there.
_ONTO: Final = re.compile(r"(?<![\w'])на\s+(?:(?:н\.\s*п\.|м\.)\s*)?$")
_LOCATIVE_END: Final = ("і", "ї", "ах", "ях")
_DIGIT: Final = re.compile(r"\d")
_JOINED: Final = re.compile(r"\s*(?:/|\\|,|та|і|й|and|or|або|чи)\s*")


def live_kinds(found: set[str], norm: str, source_kind: str | None) -> set[str]:
    """The kinds of ``found`` that announce a danger now or imminent."""
    active = found & (ALERTS | THREATS)
    if not active:
        return set()
    if may_match(SUMMARY, norm) and SUMMARY.search(norm) is not None:
        return set()
    live = active & ALERTS
    threats = active & THREATS
    if not threats or (may_match(PAST, norm) and PAST.search(norm) is not None):
        return live
    if found & CONSEQUENCES:
        return live  # the attack is the cause of what the post reports
    if source_kind in _REAL_TIME_SOURCES or (may_match(LIVE_CUES, norm) and LIVE_CUES.search(norm)):
        live |= threats
    elif "explosions" in threats and not _DIGIT.search(norm):
        live.add("explosions")  # "У Полтаві вибухи": breaking news, not a tally of blasts
    return live


def headings(
    text: str,
    parts: list[Clause],
    kinds_of: list[set[str]],
    located: list[Located],
) -> dict[str, set[str]]:
    """For each moving threat kind, the regions its clauses say it is heading for."""
    out: dict[str, set[str]] = {}
    previous_heading = False
    previous_end = -1
    j = 0
    for p in located:
        while j < len(parts) and parts[j].end <= p.start:
            j += 1
        if j >= len(parts) or p.start < parts[j].start:
            previous_heading = False
            continue
        clause = parts[j]
        kinds = kinds_of[j] & MOVING
        before = text[max(clause.start, p.start - 40) : p.start].lower()
        heading = False
        if kinds:
            joined = previous_heading and _JOINED.fullmatch(text[previous_end : p.start])
            if joined or _TOWARDS.search(before):
                heading = True
            elif _ONTO.search(before):
                surface = text[p.start : p.end].lower()
                heading = not surface.endswith(_LOCATIVE_END)
        if heading:
            for kind in kinds:
                out.setdefault(kind, set()).add(p.place.region)
        previous_heading, previous_end = heading, p.end
    return out
