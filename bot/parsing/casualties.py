"""Casualties: killed and injured as regional administrations and the press state them."""

from __future__ import annotations

import re

from bot.parsing.quantity import Tally, add, quantity
from bot.parsing.tokens import Token

_KILLED = re.compile(
    r"^(?:загин|загибл|вбит|вбил|вбив|убит|убил|убив|загиблих|погиб|kill|dead$|died|deaths?$|смертельн)"
)
_INJURED = re.compile(
    r"^(?:поранен|поранил|поранив|постраждал|постраждав|травмов|госпіталіз|injur|wound|hurt|hospitali|"
    r"ранен|пострадав|пострадал|дістал)"
)
_PERSON_ONE = re.compile(
    r"^(?:жінк[аиуі]$|чоловік$|чоловіка$|дитин[аиу]$|хлопч|хлопець|хлопця|дівчин|підліт|пенсіонер|"
    r"мешкан(?:ець|ця|ка|ку)$|жител(?:ь|я|ька|ьку)$|водій|водія|машиніст|працівник$|працівника$|"
    r"працівниц|рятувальник$|рятувальника$|поліцейськ|медик$|медика$|енергетик$|енергетика$|"
    r"man$|woman$|child$|boy$|girl$|teenager$|resident$|civilian$|person$|driver$|pensioner$|"
    r"wife$|husband$|son$|daughter$|mother$|father$|женщин[аы]$|мужчин[аы]$|ребен|"
    r"цивільн(?:ого|ий|у|а)$|військов(?:ого|ий)$|помічника$|пасажир(?:а|ку|ка)?$|дідус|бабус)"
)
_FILLER = re.compile(
    r"^(?:ще|людей|людини|люди|особи|осіб|человека|человек|людей|мирних|цивільних|жителів|мешканців|дітей|people|persons?|"
    r"civilians|residents|were|was|been|have|has|had|are|is|also|more|another|others|further|its|"
    r"his|her|a|an|the|of|their|at|least|щонайменше|понад|більше|майже|близько|about|over|"
    r"several|in|the|total|загалом|всього|кількість|зросла|до|individuals|human)$"
)
_PEOPLE = re.compile(
    r"^(?:працівник|залізничник|рятувальник|енергетик|поліцейськ|медик|військов|цивільн|мирн|"
    r"жител|мешкан|людин|люд|дит|жін|чолов|пасажир|пенсіонер|підлітк|workers?|employees|staff|"
    r"rescuers|police|medics|children|women|men|civilians|residents|railway|railwaymen|"
    r"firefighters|passengers|teenagers|adults|elderly)"
)
_STOP = re.compile(r"^(?:[,:;()\"«»]|та|і|й|and|але|but|а)$")
_SUBSET = re.compile(r"^(?:серед|з|зокрема|including|among|of)$")
_REVISED = re.compile(r"^(?:зросл|збільшил|зріс|rose|risen|increased|climbed)")


def _person_count(tokens: list[Token], i: int) -> int | None:
    tok = tokens[i]
    if tok.value is not None:
        return tok.value if quantity(tokens, i) else None
    return 1 if _PERSON_ONE.match(tok.text) else None


def _scan(tokens: list[Token], i: int, step: int, used: set[int]) -> tuple[int, int] | None:
    """The nearest count of people from trigger ``i`` in one direction, within a few words.

    Leftwards only filler words may stand between ("троє людей поранені"); rightwards any word
    may ("поранено в місті 3 людей"), but punctuation, a conjunction or another trigger ends it.
    """
    j = i + step
    while 0 <= j < len(tokens) and abs(j - i) <= 6:
        t = tokens[j]
        if j in used or _KILLED.match(t.text) or _INJURED.match(t.text):
            return None
        n = _person_count(tokens, j)
        if n is not None:
            return n, j
        if "-річн" in t.text or "-year-old" in t.text:
            j += step
            continue
        allowed = _FILLER.match(t.text) or (step < 0 and _PEOPLE.match(t.text))
        if not allowed and (step < 0 or t.is_punct or _STOP.match(t.text)):
            return None
        j += step
    return None


def _coordinated(tokens: list[Token], j: int, used: set[int]) -> int:
    """'3 жінки та 5 чоловіків': counts joined to the one at ``j`` add to it."""
    extra = 0
    k = j + 1
    while k < len(tokens):
        while k < len(tokens) and tokens[k].value is None and not _STOP.match(tokens[k].text):
            if _KILLED.match(tokens[k].text) or _INJURED.match(tokens[k].text) or k - j > 3:
                return extra
            k += 1
        if k + 1 >= len(tokens) or not _STOP.match(tokens[k].text):
            return extra
        n = k + 1
        value = tokens[n].value
        if value is None or not quantity(tokens, n) or n in used:
            return extra
        m = n + 1
        while m < len(tokens) and (_FILLER.match(tokens[m].text) or _PEOPLE.match(tokens[m].text)):
            m += 1
        after = tokens[m].text if m < len(tokens) else ""
        if (
            _KILLED.match(after)
            or _INJURED.match(after)
            or n + 1 >= len(tokens)
            or tokens[n + 1].is_punct
        ):
            return extra
        used.add(n)
        extra += value
        j = n
        k = n + 1
    return extra


def _revised_figure(tokens: list[Token], tally: Tally) -> bool:
    """ "Кількість постраждалих зросла до 17": the new total replaces, it does not add."""
    for i, t in enumerate(tokens):
        if not _REVISED.match(t.text):
            continue
        for j in range(i + 1, min(i + 4, len(tokens))):
            value = tokens[j].value
            if value is not None and quantity(tokens, j):
                before = [x.text for x in tokens[:i]]
                field = "killed" if any(_KILLED.match(w) for w in before) else "injured"
                tally["casualties"][field] = value
                return True
    return False


def casualty_figures(tokens: list[Token], tally: Tally) -> None:
    """Killed and injured in one clause: "загинула жінка" → 1, "ще троє поранені" → 3.

    Each trigger takes the nearest unused count: first just before it (subject order: "двоє
    людей загинули", "3 killed"), then after it ("поранено 12 людей", "killed a man"). Numbers
    after "серед них / including" are a subset and are not added; "зросла до N" replaces.
    """
    used: set[int] = set()
    cut = len(tokens)
    for k, t in enumerate(tokens):
        if (
            _SUBSET.match(t.text)
            and k + 1 < len(tokens)
            and tokens[k + 1].text in ("них", "яких", "них:", "them", "which", "whom")
        ) or t.text in ("зокрема", "including"):
            cut = k
            break
    revised = any(_REVISED.match(t.text) for t in tokens)
    if revised and _revised_figure(tokens, tally):
        return
    for i in range(cut):
        text = tokens[i].text
        field = "killed" if _KILLED.match(text) else "injured" if _INJURED.match(text) else None
        if field is None:
            continue
        found = _scan(tokens[:cut], i, -1, used) or _scan(tokens[:cut], i, +1, used)
        if found is None:
            continue
        value, j = found
        used.add(j)
        value += _coordinated(tokens[:cut], j, used)
        if revised:
            tally["casualties"][field] = value
        else:
            add(tally, "casualties", field, value)
