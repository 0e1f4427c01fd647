"""Figures a post states: the parser's one entry point to every figure rule.

Each extractor reads one clause's tokens (or, for trains, the post) and adds to a per-kind tally;
the parser sums the tallies over the post. Attack figures live in :mod:`bot.parsing.attack`,
casualties in :mod:`bot.parsing.casualties`; consumers and trains are here.
"""

from __future__ import annotations

import re
from typing import Final

from bot.parsing.attack import (
    WEAPON_KINDS,
    Figures,
    attack_figures,
    combine,
    header_mode,
    new_figures,
)
from bot.parsing.casualties import casualty_figures
from bot.parsing.quantity import Tally, add, new_tally, quantity
from bot.parsing.tokens import Token

__all__ = [
    "WEAPON_KINDS",
    "Figures",
    "Tally",
    "attack_figures",
    "casualty_figures",
    "combine",
    "consumer_figures",
    "delay_minutes",
    "header_mode",
    "new_figures",
    "new_tally",
    "train_count",
    "train_numbers",
]

# --- power ------------------------------------------------------------------------------------

_CONSUMER = re.compile(
    r"^(?:абонент|споживач|домогосподарств|осель|родин|сімей|customers?|households?|homes?|famil|"
    r"consumers?|subscribers?|users|абонент|потребител|домов$|будинк)"
)


_AND: Final = frozenset({"та", "і", "й", "and"})
_PEOPLE_POWER = re.compile(r"^(?:people|residents|людей|жителів|мешканців|осіб)$")


_RESTORE_MARK = re.compile(r"^(?:відновл|поверну|живлення$|restor|reconnect|восстанов|back$)")
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
        bare = named and tok.value >= 1000 and _bare_thousands(tokens, i)
        if bare or _names_consumers(tokens, i, people):
            add(tally, _mark_after(tokens, i) or kind, "consumers", tok.value)


def _names_consumers(tokens: list[Token], i: int, people: bool) -> bool:
    """Whether a consumer noun follows the figure within a few words, or after a coordinated
    figure that shares it ("179 юридичних та 1543 побутових споживачів")."""
    shared = False
    for j in range(i + 1, min(i + 7, len(tokens))):
        t = tokens[j]
        if _CONSUMER.match(t.text) or (people and _PEOPLE_POWER.match(t.text)):
            return True
        if t.value is not None and tokens[j - 1].text in _AND:
            shared = True
            continue
        if t.is_punct or t.value is not None or (j - i >= 3 and not shared):
            return False
    return False


def _bare_thousands(tokens: list[Token], i: int) -> bool:
    """ "ще 12 тис.", "8,000 remain without power": a figure in thousands in a clause that names
    consumers elsewhere, with no other figure in its phrase."""
    for j in range(i + 1, len(tokens)):
        if tokens[j].value is not None:
            return False
        if tokens[j].is_punct:
            return True
    return True


def _mark_after(tokens: list[Token], i: int) -> str | None:
    """The state a figure's own verb gives it ("30,000 customers were back on supply", "8,000
    remain without power"), when one follows in the same phrase."""
    for j in range(i + 1, min(i + 7, len(tokens))):
        t = tokens[j]
        if t.is_punct or t.value is not None:
            return None
        if _RESTORE_MARK.match(t.text):
            return "power_restored"
        if _OUTAGE_MARK.match(t.text):
            return "power_outage"
    return None


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


_TRAIN_NOUN = re.compile(
    r"\s+(?:[a-zа-яіїєґ']+\s+)?(?:поїзд(?:и|ів|а)?|потяг(?:и|ів|а)?|trains|рейс(?:и|ів)|поезд(?:а|ов))(?!\w)"
)


_ON_TIME = re.compile(
    r"за розкладом|за графіком|згідно з графіком|згідно з розкладом|без затрим|вчасно|штатно|"
    r"on schedule|on time|as scheduled|without delay|по расписанию"
)
_PHRASE_END = re.compile(r"[\n;.!?]|№")


def _phrase(norm: str, start: int) -> str:
    """From ``start`` to the end of its line, sentence, or the next train number."""
    m = _PHRASE_END.search(norm, start + 1)
    return norm[start : m.start() if m else len(norm)]


def train_count(norm: str, numbers: tuple[str, ...] | None = None) -> int | None:
    """How many trains the post says are delayed: stated ("затримуються 5 поїздів"), else the
    distinct train numbers listed (:func:`train_numbers`, or ``numbers`` when already read)."""
    from bot.parsing.numbers import find_numbers

    stated = [
        n.value
        for n in find_numbers(norm)
        if n.value < 1000
        and _TRAIN_NOUN.match(norm, n.end)
        and not _ON_TIME.search(_phrase(norm, n.start))
    ]
    if stated:
        return sum(stated)
    return len(train_numbers(norm) if numbers is None else numbers) or None


# A train's number: after "№", "поїзд", "train", "Інтерсіті+"; "92/91" is one train both ways.
_TRAIN_MARK = re.compile(
    r"(?:№|\bno\.?|\bnumbers?|(?<![\w'])(?:поїзд|потяг|поезд)\w*|\btrains?|(?<![\w'])інтерсіті|"
    r"\bintercity|(?<![\w'])интерсити)\+?\s*(?:№|no\.?)?\s*"
)
_TRAIN_ID = r"(\d{1,4}(?:\s*/\s*\d{1,4})?)(?![\d:]|[.,]\d|[^\W\d_]|-\w)"
_FIRST_ID = re.compile(_TRAIN_ID)
_NEXT_ID = re.compile(r"\s*(?:,|та|і|й|and|&)\s*(?:№\s*)?" + _TRAIN_ID)
# A figure of something else: "поїзд 40 хвилин", "2 вагони", "5 пасажирів".
_NOT_TRAIN = re.compile(
    r"\s*(?:год\w*|хв\w*|h|hrs?|hours?|min\w*|км|km|вагон\w*|cars?|пасажир\w*|passeng\w*|"
    r"люд\w*|осіб|особ\w*|%|рок\w*|рік|р\.|рейс\w*|поїзд\w*|потяг\w*|trains?|час(?:а|ов)?|"
    r"дн(?:і|ів|я)|days?|тис\w*|млн|мільйон\w*)(?!\w)"
)
_MAX_TRAINS: Final = 30


def train_numbers(norm: str) -> tuple[str, ...]:
    """The numbers of the trains the post says are delayed, cancelled or rerouted ("№ 743",
    "поїзд 105 Київ — Ковель", "поїзди №12, 14 та 48", "Інтерсіті+ 743", "№92/91"), in order.

    Trains said to run on schedule are left out; in a delay table ("№91 Львів — Будапешт
    (+1:40)") only the rows that state a delay count."""
    rows: dict[str, str] = {}
    for mark in _TRAIN_MARK.finditer(norm):
        m = _FIRST_ID.match(norm, mark.end())
        if m is None:
            continue
        marked = "№" in mark.group(0) or "no" in mark.group(0)
        found: list[re.Match[str]] = [m]
        while (nxt := _NEXT_ID.match(norm, found[-1].end())) is not None:
            found.append(nxt)
        phrase = _phrase(norm, m.start())
        if _ON_TIME.search(phrase):
            continue
        for one in found:
            number = re.sub(r"\s+", "", one.group(1))
            if _NOT_TRAIN.match(norm, one.end()) or (not marked and _looks_like_year(number)):
                break
            rows.setdefault(number, phrase)
        if len(rows) >= _MAX_TRAINS:
            break
    if any(_DELAY_PLUS.search(phrase) for phrase in rows.values()):
        return tuple(n for n, phrase in rows.items() if _states_delay(phrase))
    return tuple(rows)


def _looks_like_year(number: str) -> bool:
    return number.isdigit() and 1900 <= int(number) <= 2100


_LATE = re.compile(r"затрим|запізн|\blate\b|\bdelay")


def _states_delay(phrase: str) -> bool:
    return bool(
        _DELAY_PLUS.search(phrase)
        or _LATE.search(phrase)
        or _DELAY_HM.search(phrase)
        or _DELAY_M.search(phrase)
    )
