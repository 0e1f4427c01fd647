"""Casualties: killed and injured as regional administrations and the press state them."""

from __future__ import annotations

import re

from bot.parsing.quantity import Tally, add, quantity
from bot.parsing.tokens import Token

_KILLED = re.compile(
    r"^(?:загин|загибл|вбит|вбил|вбив|убит|убил|убив|загиблих|погиб|kill|dead$|died|deaths?$|"
    r"смертельн|помер$|померл|загиблого)"
)
_INJURED = re.compile(
    r"^(?:поранен|поранил|поранив|постраждал|постраждав|травмов|госпіталіз|injur|wound|hurt|"
    r"hospitali|ранен|пострадав|пострадал|дістал|потерпіл|травм(?:и|а|у|ами|ув|ован)?$|травмув)"
)
# A singular participle names one person: "є загиблий", "Постраждала — жінка 60 років".
_ONE_VICTIM = frozenset(
    {
        "загиблий",
        "загибла",
        "поранений",
        "поранена",
        "постраждалий",
        "постраждала",
        "травмований",
        "травмована",
        "потерпілий",
        "потерпіла",
    }
)
# "Атака забрала життя двох людей": the toll of the attack so far, a running total.
_TOLL_VERB = re.compile(r"^(?:забрал|забрав|обірвал|обірвав|claimed$|took$)")
_TOLL_NOUN = frozenset({"життя", "життів", "lives"})
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
    r"several|in|the|total|загалом|всього|кількість|зросла|до|individuals|human|"
    # manner and time words between a subject and its verb ("2 людини за добу дістали поранення")
    r"seriously|severely|critically|slightly|lightly|badly|reportedly|later|also|"
    r"тяжко|важко|легко|також|теж|вночі|уночі|вдень|ввечері|зранку|сьогодні|вчора|учора|"
    r"today|yesterday|overnight|отримали|отримав|отримала|отримало|зазнали|зазнав|зазнала|"
    r"sustained|suffered|received)$"
)
# A preposition and its word may stand between a subject and its verb: "в області", "за добу".
_PREPOSITION = frozenset(
    {"в", "у", "на", "за", "через", "внаслідок", "під", "від", "in", "on", "at", "during", "from"}
)
_DASH = frozenset({"-", ":"})
_POSSESSIVE = frozenset({"her", "his", "their", "its", "її", "його", "їхній", "їхня", "їх"})
_PLURAL_PERSONS = re.compile(r"^(?:чоловіки|жінки|діти|хлопці|дівчата|men|women|boys|girls)$")
_AGE_WORD = re.compile(r"^(?:рок|рік|років|р\.|р$|years?|лет|года)")
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
    if _PLURAL_PERSONS.match(tok.text):
        return _ages_listed(tokens, i)
    return 1 if _PERSON_ONE.match(tok.text) else None


def _ages_listed(tokens: list[Token], i: int) -> int | None:
    """ "чоловіки 45 та 52 років": as many people as ages listed after a plural noun."""
    ages = 0
    k = i + 1
    while k < len(tokens) and tokens[k].value is not None:
        ages += 1
        k += 1
        if k < len(tokens) and tokens[k].text in ("та", "і", "й", ",", "and"):
            k += 1
    if ages and k < len(tokens) and _AGE_WORD.match(tokens[k].text):
        return ages
    return None


def _age_list_end(tokens: list[Token], j: int) -> int:
    """The last index of the age list after a plural noun at ``j`` (or ``j`` itself)."""
    if not _PLURAL_PERSONS.match(tokens[j].text):
        return j
    k = j + 1
    while k < len(tokens) and not _AGE_WORD.match(tokens[k].text):
        k += 1
    return k


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
        if step < 0 and t.text == "another":  # "one more was killed and another wounded"
            return 1, j
        if "-річн" in t.text or "-year-old" in t.text:
            j += step
            continue
        if step < 0 and j > 0 and tokens[j - 1].text in _PREPOSITION and t.value is None:
            j -= 2  # "2 людини [в області] [за добу] дістали поранення"
            continue
        allowed = (
            _FILLER.match(t.text)
            or (step < 0 and _PEOPLE.match(t.text))
            or (abs(j - i) == 1 and t.text in _DASH)  # "сім - постраждали", "Загиблих — двоє"
        )
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
        while n < len(tokens) and (
            "-річн" in tokens[n].text
            or "-year-old" in tokens[n].text
            or tokens[n].text in _POSSESSIVE
        ):
            n += 1  # "і 70-річна жінка", "and her 45-year-old son"
        if n < len(tokens) and n not in used and _PERSON_ONE.match(tokens[n].text):
            after = tokens[n + 1].text if n + 1 < len(tokens) else ""
            if _KILLED.match(after) or _INJURED.match(after):
                return extra
            used.add(n)
            extra += 1
            j = k = n + 1
            continue
        if n >= len(tokens):
            return extra
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


def _without_subset(tokens: list[Token]) -> list[Token]:
    """The clause without its subset phrases ("серед них дитина", "в тому числі", ", including a
    child,"), whose figures are part of the total, not added to it. One pass, no recursion."""
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        t = tokens[k]
        nxt = tokens[k + 1].text if k + 1 < len(tokens) else ""
        if (
            (_SUBSET.match(t.text) and nxt in ("них", "яких", "них:", "them", "which", "whom"))
            or t.text in ("зокрема", "including")
            or (t.text in ("в", "у") and nxt in ("тому", "тім"))
        ):
            end = next((e for e in range(k + 2, len(tokens)) if tokens[e].is_punct), len(tokens))
            if end < len(tokens) and tokens[end].text == ",":
                end += 1  # "Four people, including a child, were injured": both commas go
            if out and out[-1].text == ",":
                out.pop()
            k = end
            continue
        out.append(t)
        k += 1
    return out


def _toll(tokens: list[Token], tally: Tally) -> bool:
    """ "Атака забрала життя двох людей": the killed total so far replaces what the clause adds."""
    for i in range(len(tokens) - 1):
        if tokens[i + 1].text in _TOLL_NOUN and _TOLL_VERB.match(tokens[i].text):
            for j in range(i + 2, min(i + 5, len(tokens))):
                n = _person_count(tokens, j)
                if n is not None:
                    tally["casualties"]["killed"] = n
                    return True
    return False


_DIED = re.compile(r"^(?:помер$|померл|died$|succumbed)")


def _then_died(tokens: list[Token], i: int) -> bool:
    """Whether the person injured at ``i`` dies later in the same phrase."""
    for t in tokens[i + 1 : i + 8]:
        if t.is_punct:
            return False
        if _DIED.match(t.text):
            return True
    return False


def casualty_figures(tokens: list[Token], tally: Tally) -> None:
    """Killed and injured in one clause: "загинула жінка" → 1, "ще троє поранені" → 3.

    Each trigger takes the nearest unused count: first just before it (subject order: "двоє
    людей загинули", "3 killed"), then after it ("поранено 12 людей", "killed a man"). Numbers
    after "серед них / в тому числі / including" are a subset and are not added; "зросла до N"
    and "забрала життя N" state the running total, which replaces.
    """
    used: set[int] = set()
    head = _without_subset(tokens)
    revised = any(_REVISED.match(t.text) for t in tokens)
    if revised and _revised_figure(tokens, tally):
        return
    if any(t.text in _TOLL_NOUN for t in head) and _toll(head, tally):
        return
    for i in range(len(head)):
        text = head[i].text
        field = "killed" if _KILLED.match(text) else "injured" if _INJURED.match(text) else None
        if field is None:
            continue
        if field == "injured" and _then_died(head, i):
            field = "killed"  # "Поранений учора чоловік помер у лікарні": one death, no injury
        found = _scan(head, i, -1, used) or _scan(head, i, +1, used)
        if found is None:
            if text in _ONE_VICTIM:
                add(tally, "casualties", field, 1)
            continue
        value, j = found
        used.add(j)
        value += _coordinated(head, _age_list_end(head, j), used)
        if revised:
            tally["casualties"][field] = value
        else:
            add(tally, "casualties", field, value)
