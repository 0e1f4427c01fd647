"""Attack figures: launched, destroyed, hit and hit locations of drones and missiles."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from typing import Final

from bot.parsing.quantity import quantity
from bot.parsing.tokens import Token

WEAPON_KINDS: Final = frozenset({"drones", "missiles", "airstrike"})

_DRONE = re.compile(
    r"^(?:бпла|дрон|безпілотн|беспилотн|шахед|shahed|drone|uav|герань|гербер|ударних$)"
)
# "Бандероль" is a jet-powered mini cruise missile that the Air Force counts with its missiles.
_MISSILE = re.compile(
    r"^(?:ракет|missile|ballistic$|кинджал|іскандер|калібр|х-\d|iskander|kinzhal|kalibr|kh-\d|"
    r"бандерол)"
)
_GENERIC = re.compile(r"^(?:засоб|засобів|means|targets?$|цілей|цілі$|air$)")
# Words that may stand between a figure and its weapon: "36 крилатими/авіаційними ракетами",
# "усі п'ять ворожих «Шахедів»", "67 long-range attack drones".
_MODIFIER = re.compile(
    r"^(?:ударн|ворож|крилат|балістичн|аеробалістичн|керован|протикорабельн|зенітн|російськ|"
    r"реактивн|авіаційн|баражуюч|боєприпас|розвідувальн|далекобійн|дальн|надзвукон|гіперзвуков|"
    r"shahed-type|shahed|attack|strike|enemy|russian|cruise|ballistic|guided|різн|типу|type|"
    r"jet|jet-powered|long-range|loitering|decoy|kamikaze|"
    r"повітряного|нападу|-|/|\\|[\"«»“”„']$|ще|понад|більше|усі|всі|усіх|всіх|all|of|the)"
)
MODE_WORDS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(
            r"^(?:збит|збил|подавлен|подавил|подавит|знешкодж|знешкодил|знищен|знищил|нейтралізов|"
            r"сбит|сбил|уничтож|перехопл|перехопил|відмінусува|мінусну|приземлил|intercept|"
            r"downed|neutrali|suppress|destroy)"
        ),
        "destroyed",
    ),
    (re.compile(r"^(?:влучанн|влучил|влучан|hits?$|struck|impact|попадан)"), "hit"),
    (re.compile(r"^(?:втрачен|lost$|локаційно)"), "lost"),
    (
        re.compile(
            r"^(?:атакував|атакувал|атакували|запустив|запустил|випустив|випустил|застосував|"
            r"застосувал|завдав|attacked|launched|fired|used|всього|загалом|total)"
        ),
        "launched",
    ),
)


_ANY_MODE = re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in MODE_WORDS) + r"|^sho(?:o)?t$")


def _mode_at(tokens: list[Token], i: int) -> str | None:
    text = tokens[i].text
    if tokens[i].value is not None or not _ANY_MODE.match(text):
        return None  # most words are no verb of an attack figure: one test rules them out
    if text in ("shot", "shoot"):
        return "destroyed" if i + 1 < len(tokens) and tokens[i + 1].text == "down" else None
    for rx, mode in MODE_WORDS:
        if rx.match(text):
            return mode
    return None


def _weapon_after(tokens: list[Token], i: int) -> str | None:
    """The weapon kind a number counts: 'drones', 'missiles', 'generic' or None."""
    for j in range(i + 1, min(i + 5, len(tokens))):
        t = tokens[j].text
        if _MISSILE.match(t):
            return "missiles"
        if _DRONE.match(t) and t != "ударних":
            return "drones"
        if _GENERIC.match(t):
            return "generic"
        if not _MODIFIER.match(t):
            return None
    return None


_LOCATIONS = re.compile(
    r"^(?:локаці(?:ях|ї|я|й|ями)$|locations?$|sites?$|places$|objects$|spots$|місц(?:ях|ь)$|"
    r"пунктах$|об'єкт(?:ах|ів|и)$|точк(?:ах|ами)$)"
)
_DEBRIS = re.compile(r"^(?:уламк|debris|fragments|падінн)")


Figures = defaultdict[tuple[str, str], list[int]]


def new_figures() -> Figures:
    return defaultdict(list)


def combine(values: list[int]) -> int:
    """Sum of the figures stated for one field, unless one is the total of the others.

    "24 ракети: 2 балістичні та 22 крилаті" and a headline repeating the body's totals both
    state a figure twice; counting it once is what the post means.
    """
    total = sum(values)
    for v in values:
        if len(values) > 1 and v * 2 == total:
            return v
    return total


_AND: Final = frozenset({"and", "та", "і", "й"})


def _mode_after(tokens: list[Token], i: int) -> str | None:
    """A verb right after the figure ("71 drones were shot down", "45 БпЛА локаційно втрачені");
    figures joined by "and" share it ("747 drones and 4 missiles were shot down")."""
    limit = i + 9  # "58 of which it was able to shoot down"
    j = i + 1
    while j < min(limit, len(tokens)):
        tok = tokens[j]
        if tok.value is not None and tokens[j - 1].text in _AND:
            limit = j + 9
        elif tok.value is not None or tok.is_punct:
            return None
        else:
            mode = _mode_at(tokens, j)
            if mode is not None:
                return mode
        j += 1
    return None


_OF: Final = frozenset({"of", "з", "із", "зі"})


def _whole_of(tokens: list[Token], i: int) -> int | None:
    """Index of Y when the figure at ``i`` is the X of an "X of Y" frame ("40 із 55")."""
    k = i + 1
    if k < len(tokens) and tokens[k].text in _OF:
        k += 1 + (k + 1 < len(tokens) and tokens[k + 1].text == "the")
        if k < len(tokens) and tokens[k].value is not None:
            return k
    return None


def _part_before(tokens: list[Token], i: int) -> bool:
    """Whether the figure at ``i`` is the Y of an "X of Y" frame."""
    k = i - 1 - (i >= 1 and tokens[i - 1].text == "the")
    if k < 0 or tokens[k].text not in _OF:
        return False
    # "71 з 88", or a clause that opens with the whole: "Із 80 БпЛА збито 60", "Of the 40 drones"
    return k == 0 or tokens[k - 1].value is not None or tokens[k - 1].is_punct


def _has_own_figure(tokens: list[Token], k: int) -> bool:
    """Whether the verb at ``k`` governs a figure right after it ("– збито 1", "shot down 70")."""
    for t in tokens[k + 1 : k + 4]:
        if t.value is not None:
            return True
        if t.is_punct and t.text not in ("/", "\\"):
            return False
    return False


def header_mode(text: str) -> str | None:
    """The verb of a header line that a list follows ("ворог атакував:", "збито/подавлено:")."""
    if not text.rstrip().endswith(":"):
        return None
    tokens = [t for t in _HEADER_WORD.findall(text)]
    for k in range(len(tokens) - 1, -1, -1):
        for rx, mode in MODE_WORDS:
            if rx.match(tokens[k]):
                return mode
    return None


_HEADER_WORD = re.compile(r"[\w'-]+")


def attack_figures(
    tokens: list[Token], figures: Figures, clause_kinds: set[str], default: str = "launched"
) -> None:
    """Launched/destroyed/hit/locations of drones and missiles in one clause.

    The mode of a figure is the nearest verb before it ("збито 11 ракет"), else the first after
    it ("71 drones were shot down") unless that verb has a figure of its own ("2 ракети – збито
    1"), else ``default``: launched, or the verb of the header a list line belongs to
    ("Протиповітряною обороною збито/подавлено:" then "– 73 ударні БпЛА"). A total of "засобів повітряного нападу" and a
    bare "збито 80" go to the pseudo-kinds ``_generic`` / ``_bare``: the parser gives them to the
    post's weapon when it has only one. Locations go to the weapons the clause names.
    """
    kinds_here: set[str] = set()
    modes = [(k, m) for k in range(len(tokens)) if (m := _mode_at(tokens, k))]
    mode_at = [k for k, _ in modes]
    locations: list[int] = []
    bare: list[tuple[str, int]] = []
    for i, tok in enumerate(tokens):
        if tok.value is None or not quantity(tokens, i):
            continue
        nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
        if _LOCATIONS.match(nxt):
            if not any(_DEBRIS.match(tokens[k].text) for k in range(max(0, i - 4), i)):
                locations.append(tok.value)
            continue
        at = bisect_left(mode_at, i)  # a number is no verb: modes before it [:at], after [at:]
        before = modes[at - 1] if at else None
        after = (
            modes[at][1] if at < len(modes) and not _has_own_figure(tokens, modes[at][0]) else None
        )
        mode = _mode_after(tokens, i) or (before[1] if before else after or default)
        whole = _whole_of(tokens, i)
        if whole is not None:
            weapon = _weapon_after(tokens, whole)  # "збито 71 з 88 БпЛА", "34 of the 40 drones"
        else:
            weapon = _weapon_after(tokens, i)
            if _part_before(tokens, i):
                mode = "launched"  # the 88 of "71 з 88" is how many came, not how many fell
        if weapon is None:
            explicit_after = _mode_after(tokens, i)  # "38 of them were shot down"
            near_before = before is not None and i - before[0] <= 2
            if (near_before or explicit_after) and mode != "lost":
                bare.append((mode, tok.value))
            continue
        if mode == "lost":
            continue
        if weapon == "generic":
            if mode == "launched":
                figures[("_generic", "launched")].append(tok.value)
            continue
        kinds_here.add(weapon)
        figures[(weapon, mode)].append(tok.value)
    for mode, value in bare:
        if len(kinds_here) <= 1:
            figures[(next(iter(kinds_here)) if kinds_here else "_bare", mode)].append(value)
    if locations:
        for kind in (kinds_here | clause_kinds) & WEAPON_KINDS or {"_any"}:
            figures[(kind, "locations")].append(sum(locations))
