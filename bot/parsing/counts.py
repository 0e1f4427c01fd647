"""Figures a post states: attack totals, casualties, consumers without power, train delays.

Each extractor reads one clause's tokens and adds to a per-kind tally; the parser sums the
tallies over the post. Numbers that are not counts of the event (ages, dates, times, model
numbers such as "Х-101", train numbers) never reach these rules: the tokenizer drops digits
glued to letters, and the helpers below skip ages and dates.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from typing import Final

from bot.parsing.tokens import Token

Tally = defaultdict[str, dict[str, int]]
WEAPON_KINDS: Final = frozenset({"drones", "missiles", "airstrike"})


def new_tally() -> Tally:
    return defaultdict(dict)


def _add(tally: Tally, kind: str, field: str, value: int) -> None:
    tally[kind][field] = tally[kind].get(field, 0) + value


_MONTHS: Final = re.compile(
    r"^(?:січ(?:ня|ень)|лют(?:ого|ий)|берез(?:ня|ень)|квіт(?:ня|ень)|трав(?:ня|ень)|черв(?:ня|ень)|"
    r"лип(?:ня|ень)|серп(?:ня|ень)|верес(?:ня|ень)|жовт(?:ня|ень)|листопад[а]?|груд(?:ня|ень)|"
    r"январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]|"
    r"октябр[яь]|ноябр[яь]|декабр[яь]|jan(?:uary)?|feb(?:ruary)?|march|apr(?:il)?|may|june?|"
    r"july?|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)$"
)
_AGE_AFTER: Final = re.compile(
    r"^(?:рок|рік|років|р\.|р$|річн|years?|year-old|-year|yo\b|лет|года|год$)"
)
_NOT_COUNT_AFTER: Final = re.compile(
    r"^(?:кв|га|км|м$|м2|%|відсот|percent|грн|uah|\$|доб|тижн|днів|дні|день|місяц|хв|хвилин|"
    r"год|годин|minutes?|hours?|черг|метр|тонн|голів|корів|свин|кг|сек)"
)


def is_quantity(tokens: list[Token], i: int) -> bool:
    """Whether the number at ``i`` can be a count of people or objects (not an age, a date…)."""
    tok = tokens[i]
    if tok.value is None:
        return False
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    prev = tokens[i - 1].text if i > 0 else ""
    if _MONTHS.match(nxt) or _AGE_AFTER.match(nxt) or _NOT_COUNT_AFTER.match(nxt):
        return False
    if prev in ("aged", "віком", "№", "no", "#", "року", "рік") or (
        prev == "та" and _age_list(tokens, i)
    ):
        return False
    is_year = 1900 <= tok.value <= 2100 and " " not in tok.text
    return not is_year


def _age_list(tokens: list[Token], i: int) -> bool:
    """'жінки 59 та 67 років': the first number of an age pair is an age too."""
    return i + 1 < len(tokens) and bool(_AGE_AFTER.match(tokens[i + 1].text))


def _age_pair_start(tokens: list[Token], i: int) -> bool:
    return (
        i + 3 < len(tokens)
        and tokens[i + 1].text in ("та", "і", "й", "and", ",")
        and tokens[i + 2].value is not None
        and bool(_AGE_AFTER.match(tokens[i + 3].text))
    )


def quantity(tokens: list[Token], i: int) -> bool:
    return is_quantity(tokens, i) and not _age_pair_start(tokens, i)


# --- attack figures -------------------------------------------------------------------------

_DRONE = re.compile(
    r"^(?:бпла|дрон|безпілотн|беспилотн|шахед|shahed|drone|uav|герань|гербер|ударних$)"
)
_MISSILE = re.compile(
    r"^(?:ракет|missile|ballistic$|кинджал|іскандер|калібр|х-\d|iskander|kinzhal|kalibr|kh-\d)"
)
_GENERIC = re.compile(r"^(?:засоб|засобів|means|targets?$|цілей|цілі$|air$)")
_MODIFIER = re.compile(
    r"^(?:ударн|ворож|крилат|балістичн|аеробалістичн|керован|протикорабельн|зенітн|російськ|"
    r"shahed-type|shahed|attack|strike|enemy|russian|cruise|ballistic|guided|різн|типу|type|"
    r"повітряного|нападу|-|ще|понад|більше|of|the)"
)
MODE_WORDS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(
            r"^(?:збит|збил|подавлен|подавил|знешкодж|знешкодил|знищен|знищил|нейтралізов|сбит|сбил|"
            r"уничтож|перехопл|перехопил|intercept|"
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


_ANY_MODE = re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in MODE_WORDS) + r"|^shot$")


def _mode_at(tokens: list[Token], i: int) -> str | None:
    text = tokens[i].text
    if tokens[i].value is not None or not _ANY_MODE.match(text):
        return None  # most words are no verb of an attack figure: one test rules them out
    if text == "shot":
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


_LOCATIONS = re.compile(r"^(?:локаці(?:ях|ї|я|й|ями)$|locations?$|місцях$|пунктах$|об'єктах$)")
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


def _mode_after(tokens: list[Token], i: int) -> str | None:
    """A verb right after the figure ("71 drones were shot down", "45 БпЛА локаційно втрачені")."""
    for j in range(i + 1, min(i + 7, len(tokens))):
        if tokens[j].value is not None or tokens[j].is_punct:
            return None
        mode = _mode_at(tokens, j)
        if mode is not None:
            return mode
    return None


def attack_figures(tokens: list[Token], figures: Figures, clause_kinds: set[str]) -> None:
    """Launched/destroyed/hit/locations of drones and missiles in one clause.

    The mode of a figure is the nearest verb before it ("збито 11 ракет"), else the first after
    it ("71 drones were shot down"), else launched. A total of "засобів повітряного нападу" and a
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
        after = modes[at][1] if at < len(modes) else None
        mode = _mode_after(tokens, i) or (before[1] if before else after or "launched")
        if nxt in ("of", "з", "із") and i + 2 < len(tokens) and tokens[i + 2].value is not None:
            weapon = _weapon_after(tokens, i + 2)  # "збито 71 з 88 БпЛА", "71 of 88 drones"
        else:
            weapon = _weapon_after(tokens, i)
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


# --- casualties ------------------------------------------------------------------------------

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
            _add(tally, "casualties", field, value)


# --- power ------------------------------------------------------------------------------------

_CONSUMER = re.compile(
    r"^(?:абонент|споживач|домогосподарств|осель|родин|сімей|customers?|households?|homes?|famil|"
    r"consumers?|subscribers?|users|абонент|потребител|домов$|будинк)"
)


_PEOPLE_POWER = re.compile(r"^(?:people|residents|людей|жителів|мешканців|осіб)$")


_RESTORE_MARK = re.compile(r"^(?:відновл|поверну|живлення$|restor|reconnect|восстанов)")
_OUTAGE_MARK = re.compile(r"^(?:без$|знеструмл|відсутн|without$|outage|обесточ|lost$|cut$)")


def consumer_figures(
    tokens: list[Token], tally: Tally, restored: bool, people: bool = False
) -> None:
    """Consumers without power, or with power back, in one clause.

    Each figure belongs to the nearest marker before it ("відновили живлення для 45 тис.
    споживачів, без світла ще 12 тис." → 45,000 restored, 12,000 without); a figure in
    thousands may leave the noun out when the clause names it once. ``people``: the clause
    reports no casualties, so "50,000 people without power" counts too.
    """
    kind = "power_restored" if restored else "power_outage"
    named = any(_CONSUMER.match(t.text) for t in tokens)
    for i, tok in enumerate(tokens):
        if tok.text and _RESTORE_MARK.match(tok.text):
            kind = "power_restored"
        elif tok.text and _OUTAGE_MARK.match(tok.text):
            kind = "power_outage"
        if tok.value is None or not quantity(tokens, i):
            continue
        for j in range(i + 1, min(i + 4, len(tokens))):
            if _CONSUMER.match(tokens[j].text) or (people and _PEOPLE_POWER.match(tokens[j].text)):
                _add(tally, kind, "consumers", tok.value)
                break
            if tokens[j].is_punct or tokens[j].value is not None:
                if named and tok.value >= 1000 and " " in tok.text:  # "ще 12 тисяч"
                    _add(tally, kind, "consumers", tok.value)
                break
        else:
            if named and tok.value >= 1000 and " " in tok.text and i + 1 >= len(tokens) - 1:
                _add(tally, kind, "consumers", tok.value)


# --- trains -----------------------------------------------------------------------------------

_HOURS = r"(?:год(?:ин[иу]?|\.)?|h|hrs?|hours?|час(?:а|ов)?)"
_MINS = r"(?:хв(?:илин[иу]?|\.)?|min(?:utes?|s)?\.?|мин(?:ут[ы]?)?)"
_NUM = r"(\d{1,6}(?:[.,]\d{1,3})?|[a-zа-яіїєґ']+)"  # bounded: a digit run is no delay
_DELAY_HM = re.compile(
    rf"(?<!\w){_NUM}\s*{_HOURS}(?!\w)(?:\s*(?:і|та|and)?\s*(\d{{1,4}})\s*{_MINS})?"
)
_DELAY_M = re.compile(rf"(?<![\w:]){_NUM}\s*{_MINS}(?!\w)")
_DELAY_PLUS = re.compile(r"\+\s*(\d{1,2}):(\d{2})\b")
_SPECIAL: Final[tuple[tuple[re.Pattern[str], int], ...]] = (
    (re.compile(r"(?<!\w)(?:на |за |понад |до |майже )годину(?!\w)|(?<!half )\ban hour\b"), 60),
    (re.compile(r"(?<!\w)півтор[аи] годин|\ban hour and a half\b|\b1\.5 hours\b"), 90),
    (re.compile(r"(?<!\w)(?:пів години|півгодини)|\bhalf an hour\b"), 30),
)


def _num_value(raw: str) -> float | None:
    from bot.parsing.numbers import WORD_VALUES

    raw = raw.strip()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", raw):
        return float(raw.replace(",", "."))
    if raw in WORD_VALUES:
        return float(WORD_VALUES[raw])
    return None


def delay_minutes(norm: str) -> int | None:
    """The longest delay a clause states, in minutes ("на 1 год 20 хв" → 80, "+3:15" → 195)."""
    best: int | None = None

    def keep(v: float | None) -> None:
        nonlocal best
        if v is not None and 0 < v < 7 * 24 * 60:
            best = int(v) if best is None else max(best, int(v))

    for m in _DELAY_HM.finditer(norm):
        h = _num_value(m.group(1))
        if h is None:
            continue
        keep(h * 60 + (int(m.group(2)) if m.group(2) else 0))
    for m in _DELAY_M.finditer(norm):
        keep(_num_value(m.group(1)))
    for m in _DELAY_PLUS.finditer(norm):
        keep(int(m.group(1)) * 60 + int(m.group(2)))
    for rx, mins in _SPECIAL:
        if rx.search(norm):
            keep(mins)
    return best


_TRAIN_NO = re.compile(r"(?:№|\bno\.?|\bnumber|\btrain)\s*(\d{1,4}(?:/\d{1,4})?)\b")
_TRAIN_NOUN = re.compile(
    r"\s+(?:[a-zа-яіїєґ']+\s+)?(?:поїзд(?:и|ів|а)?|потяг(?:и|ів|а)?|trains|рейс(?:и|ів)|поезд(?:а|ов))(?!\w)"
)


def train_count(norm: str) -> int | None:
    """How many trains the post says are affected: stated, or the distinct train numbers listed."""
    from bot.parsing.numbers import find_numbers

    stated = [
        n.value for n in find_numbers(norm) if n.value < 1000 and _TRAIN_NOUN.match(norm, n.end)
    ]
    if stated:
        return sum(stated)
    numbers = {m.group(1) for m in _TRAIN_NO.finditer(norm)}
    return len(numbers) or None
