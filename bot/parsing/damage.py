"""Damage figures: how many houses, apartment blocks, buildings, facilities and vehicles a post
says were damaged or destroyed ("пошкоджено 7 приватних будинків та 3 авто", "зруйновано дві
багатоповерхівки", "two apartment buildings were destroyed").

A figure counts when its noun follows it (adjectives may stand between: "12 житлових будинків")
in a form that a counted object takes — not the locative of "вікна у двох будинках", which counts
windows — and a damage verb governs it: the nearest one before, unless one follows in its own
phrase ("7 houses were damaged", "ще 15 пошкоджено"). A lone noun in the singular is one
("пошкоджено адмінбудівлю"); a plural without a figure ("пошкоджено будинки") states none.
A figure without a noun ("зруйновано 2 будинки, ще 15 пошкоджено") takes the noun before it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Final

from bot.parsing.quantity import quantity
from bot.parsing.tokens import Token

# The damage fields, in the order a message names them; ``<field>_destroyed`` for destroyed ones.
DAMAGE_FIELDS: Final = ("houses", "apartment_blocks", "buildings", "objects", "vehicles")
DESTROYED: Final = "_destroyed"
ALL_FIELDS: Final = tuple(
    f + s for s in ("", DESTROYED) for f in DAMAGE_FIELDS
)  # houses … vehicles, houses_destroyed … vehicles_destroyed

_DAMAGED = re.compile(r"^(?:пошкодж|ушкодж|пошкодил|посічен|damag|повреж)")
_DESTROYED = re.compile(
    r"^(?:зруйн|знищ|вщент|destroy|razed|levell?ed$|разруш|уничтож|згорі|згорел|burn(?:ed|t)$)"
)
_EITHER = re.compile(f"{_DAMAGED.pattern}|{_DESTROYED.pattern}")

# Counted forms of each noun: nominative/accusative/genitive, singular and plural; never the
# locative or instrumental ("у будинках", "будинками"), which name where, not what.
_NOUNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "apartment_blocks",
        re.compile(
            r"^(?:[\w']*поверхів(?:к[аиу]|ок)|висот(?:к[аиу]|ок)|хрущов(?:к[аиу]|ок)|"
            r"[\w']*этаж(?:к[аиу]|ек)|high-rises?|tower-blocks?)$"
        ),
    ),
    (
        "houses",
        re.compile(
            r"^(?:будин(?:ок|ки|ків|ку)|домоволодін(?:ня|ь)|садиб[аиу]?|хат[аиу]?|houses?|homes?|"
            r"дом(?:а|ов)?|домів|котедж(?:і|ів)?)$"
        ),
    ),
    (
        "buildings",
        re.compile(
            r"^(?:[\w']*будів(?:ля|лі|лю|ель)|споруд[аиу]?|приміщен(?:ня|ь)|buildings?|structures?|"
            r"здани(?:е|я|й))$"
        ),
    ),
    (
        "objects",
        re.compile(r"^(?:[\w']*об'єкт(?:и|ів|а)?|facilit(?:y|ies)|[\w']*объект(?:а|ов|ы)?)$"),
    ),
    (
        "vehicles",
        re.compile(
            r"^(?:авто|автомобіл(?:ь|і|ів|я)|автів(?:к[аиу]|ок)|машин[аиу]?|cars?|vehicles?|"
            r"автомобил(?:ь|я|ей|и)|автобус(?:и|ів|а)?|buses|bus)$"
        ),
    ),
)
# A house that is an apartment block ("багатоквартирний будинок", "apartment building").
_BLOCK_MODIFIER = re.compile(
    r"^(?:багатоквартирн|багатоповерхов|висотн|apartment|high-rise|multi-stor|multistor|"
    r"многоквартирн|многоэтажн)"
)
# An English "building" that is a house ("residential buildings", "private homes").
_HOME_MODIFIER = re.compile(r"^(?:residential|private|family|country)")
_INSTITUTION = re.compile(r"^(?:культури|творчості|престарілих|дитини|побуту|офіцерів|рад)$")
# Homes without power are consumers, not damage ("50,000 homes without power", "без світла
# 500 будинків"): a figure with such a word just before or after it is not counted here.
_POWER = re.compile(r"^(?:без$|without$|знеструмл|відключ|обесточ|power$|світла$|electricity$)")
# "транспортні засоби": the noun is only a vehicle with its adjective.
_MEANS = re.compile(r"^засоб(?:и|ів|у)?$")
_TRANSPORT = re.compile(r"^транспортн")
# The singular forms that name one object without a figure ("пошкоджено адмінбудівлю").
_ONE = re.compile(
    r"^(?:будинок|[\w']*будівл[яю]|споруд[ау]|[\w']*поверхівк[ау]|висотк[ау]|[\w']*об'єкт|"
    r"автомобіль|автівк[ау]|машину|house|home|building|car|vehicle|facility|high-rise)$"
)
# Words that may stand between a figure and its noun: adjectives, and English noun modifiers.
_UK_ADJECTIVE = re.compile(r"^[а-яіїєґ'-]{3,}(?:их|іх|ий|ій|ої|ого|ому|ою|ими|і|а|е|у|ю|я)$")
_EN_MODIFIER = re.compile(
    r"^(?:private|residential|apartment|high-rise|multi-storey|multi-story|multistorey|"
    r"administrative|civilian|industrial|commercial|public|family|country|farm|office|"
    r"infrastructure|energy|critical|educational|medical|other|more|further|nearby|"
    r"[a-z]+-storey|[a-z]+-story)$"
)
# What may stand before a lone singular noun: nothing, punctuation, a conjunction, an article.
_BEFORE_ONE = frozenset({"та", "і", "й", "а", "також", "ще", "and", "or", "a", "an", "the"})
_MAX_MODIFIERS: Final = 2

DamageFigures = defaultdict[str, list[int]]


def new_damage() -> DamageFigures:
    """Figures per field over a post, summed (subtotals once) when the post is read."""
    return defaultdict(list)


def _verb(text: str) -> str | None:
    """ "" for a damage verb, :data:`DESTROYED` for a destruction verb, else None."""
    if not _EITHER.match(text):  # most words are neither: one test rules them out
        return None
    if _DESTROYED.match(text):
        return DESTROYED
    if _DAMAGED.match(text):
        return ""
    return None


def _modifier(text: str) -> bool:
    return bool(_UK_ADJECTIVE.match(text) or _EN_MODIFIER.match(text))


def _noun_at(tokens: list[Token], j: int) -> tuple[str, int] | None:
    """The damage field of the noun phrase starting at ``j`` and the index of its noun."""
    mods: list[str] = []
    for k in range(j, min(j + _MAX_MODIFIERS + 1, len(tokens))):
        text = tokens[k].text
        if tokens[k].value is not None or tokens[k].is_punct:
            return None
        field = _field(text, mods)
        if field is not None:
            after = tokens[k + 1].text if k + 1 < len(tokens) else ""
            if field == "houses" and _INSTITUTION.match(after):
                field = "buildings"  # "будинок культури" is a public building
            return field, k
        if not _modifier(text):
            return None
        mods.append(text)
    return None


def _field(noun: str, modifiers: list[str]) -> str | None:
    if _MEANS.match(noun):
        return "vehicles" if any(_TRANSPORT.match(m) for m in modifiers) else None
    for field, rx in _NOUNS:
        if rx.match(noun):
            if field in ("houses", "buildings") and any(
                _BLOCK_MODIFIER.match(m) for m in modifiers
            ):
                return "apartment_blocks"
            if field == "buildings" and any(_HOME_MODIFIER.match(m) for m in modifiers):
                return "houses"
            return field
    return None


def _state(tokens: list[Token], i: int, end: int, verbs: list[tuple[int, str]]) -> str | None:
    """Damaged ("") or destroyed for the figure at ``i`` whose noun phrase ends at ``end``: a
    participle inside the phrase ("2 зруйновані будинки"), else a verb right after it ("7 houses
    were damaged"), else the nearest before, else the first after."""
    inside = [s for k, s in verbs if i < k < end]
    if inside:
        return inside[-1]
    for k in range(end + 1, min(end + 5, len(tokens))):
        text = tokens[k].text
        state = _verb(text)
        if state is not None:
            return state
        if text not in _DASHES and text not in _AUX:
            break
    before = [s for k, s in verbs if k < i]
    if before:
        return before[-1]
    after = [s for k, s in verbs if k > end]
    return after[0] if after else None


def damage_figures(tokens: list[Token], figures: DamageFigures) -> None:
    """Add the damage figures of one clause to ``figures`` (field → values stated)."""
    verbs = [(k, s) for k, t in enumerate(tokens) if (s := _verb(t.text)) is not None]
    if not verbs:
        return
    last: str | None = None  # the noun of the clause's previous figure, for "ще 15 пошкоджено"
    taken: set[int] = set()
    for i, tok in enumerate(tokens):
        if tok.value is not None:
            found = _noun_at(tokens, i + 1)
            # "2000 будинків" is no year: a counted noun follows it
            if not quantity(tokens, i) and not (found and 1900 <= tok.value <= 2100):
                continue
            if found is None:
                if last is None or not _elliptic(tokens, i):
                    continue
                field, end = last, i
            else:
                field, end = found
                taken.add(end)
            state = _state(tokens, i, end, verbs)
            if state is not None and not _powerless(tokens, i, end):
                figures[field + state].append(tok.value)
                last = field
        elif i not in taken and _ONE.match(tok.text) and _lone(tokens, i):
            one = _field(tok.text, [t.text for t in tokens[max(0, i - 2) : i]])
            state = _state(tokens, i, i, verbs)
            if one is not None and state is not None:
                figures[one + state].append(1)
                last = one


def _powerless(tokens: list[Token], i: int, end: int) -> bool:
    """Whether the figure at ``i`` (noun at ``end``) counts homes without power."""
    near = tokens[max(0, i - 3) : i] + tokens[end + 1 : end + 4]
    return any(_POWER.match(t.text) for t in near)


def _elliptic(tokens: list[Token], i: int) -> bool:
    """A figure whose noun is left out, with its own damage verb next to it: "ще 15 –
    пошкоджено", "and 2 destroyed", "зруйновано ще 3"."""
    for k in range(i + 1, min(i + 5, len(tokens))):
        text = tokens[k].text
        if _verb(text) is not None:
            return True
        if text not in _DASHES and text not in _AUX:
            break
    k = i - 1
    while k >= 0 and tokens[k].text in _AUX:
        k -= 1
    return k >= 0 and _verb(tokens[k].text) is not None


_DASHES: Final = frozenset({"-", "–", "—"})
# Words between a figure's phrase and its own verb: "were damaged", "зазнали пошкоджень".
_AUX: Final = frozenset(
    {"ще", "were", "was", "been", "have", "has", "had", "are", "is", "also", "more", "further",
     "також", "було", "були", "був", "була", "повністю", "частково", "зазнали", "зазнав",
     "зазнала", "зазнало", "отримали", "отримав", "отримала", "fully", "partially", "badly",
     "з", "із", "них", "яких", "of", "them", "which"}
)  # fmt: skip


def _lone(tokens: list[Token], i: int) -> bool:
    """A singular noun with nothing counting it: only adjectives, then a clause start,
    punctuation, a conjunction, an article or a verb before it."""
    k = i - 1
    while k >= 0 and i - k <= _MAX_MODIFIERS and _modifier(tokens[k].text):
        k -= 1
    if k < 0:
        return True
    prev = tokens[k]
    if prev.value is not None:
        return False
    return prev.is_punct or prev.text in _BEFORE_ONE or _verb(prev.text) is not None


# A cheap pre-check: the clause has a damage verb at all.
DAMAGE_VERB: Final = re.compile(
    r"пошкодж|ушкодж|пошкодил|посічен|damag|повреж|зруйн|знищ|вщент|destroy|razed|levell?ed|"
    r"разруш|уничтож|згорі|згорел|burn"
)
