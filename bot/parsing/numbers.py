"""Numbers as posts write them: digits with separators, "30 тис.", and number words (uk/ru/en)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from bot.parsing.limits import MAX_DIGITS

_UNITS_UK: Final[dict[str, int]] = {}


def _add(value: int, *forms: str) -> None:
    for f in forms:
        _UNITS_UK[f] = value


# Ukrainian cardinals and collectives in their common cases, Russian where it differs, English.
_add(
    1,
    "один",
    "одна",
    "одне",
    "одного",
    "одну",
    "однієї",
    "одній",
    "одному",
    "одним",
    "одною",
    "одна",
    "одной",
    "одну",
    "one",
    "single",
)
_add(
    2,
    "два",
    "дві",
    "двох",
    "двом",
    "двома",
    "двоє",
    "двоїх",
    "обидва",
    "обидві",
    "обидвоє",
    "обох",
    "две",
    "двое",
    "two",
    "both",
    "couple",
)
_add(3, "три", "трьох", "трьом", "трьома", "троє", "трое", "трех", "three")
_add(4, "чотири", "чотирьох", "чотирьом", "чотирма", "четверо", "четыре", "четырех", "four")
_add(5, "п'ять", "п'яти", "п'ятьох", "п'ятьма", "п'ятеро", "пять", "пятеро", "five")
_add(6, "шість", "шести", "шістьох", "шістьма", "шестеро", "шесть", "six")
_add(7, "сім", "семи", "сімох", "сімома", "сьома", "семеро", "семь", "seven")
_add(8, "вісім", "восьми", "вісьмох", "вісьмома", "восьмеро", "восемь", "eight")
_add(9, "дев'ять", "дев'яти", "дев'ятьох", "дев'ятеро", "девять", "nine")
_add(10, "десять", "десяти", "десятьох", "десятеро", "ten")
_add(11, "одинадцять", "одинадцяти", "eleven")
_add(12, "дванадцять", "дванадцяти", "twelve", "dozen")
_add(13, "тринадцять", "тринадцяти", "thirteen")
_add(14, "чотирнадцять", "чотирнадцяти", "fourteen")
_add(15, "п'ятнадцять", "п'ятнадцяти", "fifteen")
_add(16, "шістнадцять", "шістнадцяти", "sixteen")
_add(17, "сімнадцять", "сімнадцяти", "seventeen")
_add(18, "вісімнадцять", "вісімнадцяти", "eighteen")
_add(19, "дев'ятнадцять", "дев'ятнадцяти", "nineteen")
_TENS: Final[dict[str, int]] = {}
for _v, _forms in {
    20: ("двадцять", "двадцяти", "twenty"),
    30: ("тридцять", "тридцяти", "thirty"),
    40: ("сорок", "сорока", "forty"),
    50: ("п'ятдесят", "п'ятдесяти", "fifty"),
    60: ("шістдесят", "шістдесяти", "sixty"),
    70: ("сімдесят", "сімдесяти", "seventy"),
    80: ("вісімдесят", "вісімдесяти", "eighty"),
    90: ("дев'яносто", "ninety"),
}.items():
    for _f in _forms:
        _TENS[_f] = _v
_HUNDREDS: Final[dict[str, int]] = {
    "сто": 100,
    "ста": 100,
    "hundred": 100,
    "двісті": 200,
    "двохсот": 200,
    "триста": 300,
    "трьохсот": 300,
    "чотириста": 400,
    "чотирьохсот": 400,
    "п'ятсот": 500,
    "п'ятисот": 500,
    "шістсот": 600,
    "сімсот": 700,
    "вісімсот": 800,
    "дев'ятсот": 900,
}
MULTIPLIERS: Final[dict[str, int]] = {
    "тис": 1000,
    "тис.": 1000,
    "тисяча": 1000,
    "тисячі": 1000,
    "тисяч": 1000,
    "тисячу": 1000,
    "тисячами": 1000,
    "тисячам": 1000,
    "мільйонам": 1_000_000,
    "мільйонами": 1_000_000,
    "тыс": 1000,
    "тыс.": 1000,
    "тысяча": 1000,
    "тысячу": 1000,
    "тысяч": 1000,
    "тысячи": 1000,
    "тысячам": 1000,
    "thousand": 1000,
    "k": 1000,
    "млн": 1_000_000,
    "млн.": 1_000_000,
    "мільйон": 1_000_000,
    "мільйона": 1_000_000,
    "мільйонів": 1_000_000,
    "million": 1_000_000,
}

WORD_VALUES: Final[dict[str, int]] = {**_UNITS_UK, **_TENS, **_HUNDREDS}

_DIGITS = re.compile(
    r"(?<![\w.,:/№#-])(\d{1,3}(?:[ ,]\d{3})+(?![\d,.:]\d)|\d+(?:[.,]\d+)?)(?![\w:]|-(?:[а-яіїєa-z]))"
)


@dataclass(slots=True)
class Number:
    """A number found in normalised text: its value and where it stands."""

    value: int
    start: int
    end: int
    is_word: bool = False


_GROUPED = re.compile(r"\d{1,3}(?:[ ,]\d{3})+")
# Larger than any figure a post can mean (see :mod:`bot.parsing.limits`); kept out of tokens.
MAX_VALUE: Final = 10**9


def _digits_value(raw: str) -> float | None:
    """The value of a digit run, or None when it is too long to be a count (an id, garbage)."""
    if _GROUPED.fullmatch(raw):
        plain = raw.replace(" ", "").replace(",", "")
        return float(plain) if len(plain) <= MAX_DIGITS else None
    whole, _, fraction = raw.replace(",", ".").partition(".")
    if len(whole) > MAX_DIGITS or len(fraction) > MAX_DIGITS:
        return None
    return float(raw.replace(",", "."))


_WORD = re.compile(r"[a-zа-яіїєґё']+(?:-[a-zа-яіїєґё']+)?")
_MULTIPLIER = re.compile(
    r"\s*(тисяч(?:ами|ам|і|а|у)?|тис\.?|тысяч[иа]?|тыс\.?|млн\.?|мільйон(?:ами|ам|ів|а)?|"
    r"thousand|million|k)(?![а-яіїєґa-z])"
)


def find_numbers(norm: str) -> list[Number]:
    """Every cardinal in the normalised text, multipliers applied ("12 тис." → 12000).

    Digits glued to letters or hyphens ("Х-101", "62-річна", "№79", "08:30") are not numbers
    of anything, so they are left out here; ages and dates are filtered by the callers, which
    know the words around.
    """
    found: list[Number] = []
    for m in _DIGITS.finditer(norm):
        value = _digits_value(m.group(1))
        if value is None:
            continue
        end = m.end()
        mult = _MULTIPLIER.match(norm, end)  # at ``end``: no copy of the rest of the post
        if mult:
            key = mult.group(1).rstrip(".")
            value *= MULTIPLIERS.get(key, MULTIPLIERS.get(key + ".", 1000))
            end = mult.end()
        if value == int(value) and value <= MAX_VALUE:
            found.append(Number(int(value), m.start(), end))
    found.extend(_word_numbers(norm))
    found.sort(key=lambda n: n.start)
    return found


def trie_pattern(words: Iterable[str]) -> str:
    """One regex for many words, as a trie ("д(?:в(?:а|і|ох)…)"): the engine tests a letter once
    per position instead of once per word, which makes a search over a post several times faster
    than a flat alternation. Longer words win, as in a longest-first alternation."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        end = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return emit(trie)


# No look-behind for the word start: it would keep the engine from skipping ahead by the first
# letter; :func:`_inside_word` checks the start instead.
_ANY_WORD_NUMBER = re.compile("(?:" + trie_pattern(WORD_VALUES) + r")(?![\w'])")


def _has_word_number(norm: str) -> bool:
    pos = 0
    while (m := _ANY_WORD_NUMBER.search(norm, pos)) is not None:
        start = m.start()
        if start == 0 or not (norm[start - 1].isalnum() or norm[start - 1] in "'_"):
            return True
        pos = start + 1
    return False


def _word_numbers(norm: str) -> list[Number]:
    """Cardinals written as words, compounds joined: "двадцять два", "twenty-two", "п'ять тисяч".

    Only the words that start a number are visited (found by one regex search each), so the
    cost is in the numbers, not in every word of the post.
    """
    out: list[Number] = []
    pos = 0
    while (hit := _ANY_WORD_NUMBER.search(norm, pos)) is not None:
        start = hit.start()
        if start and _inside_word(norm, start):
            pos = start + 1  # "місто", "x-два", "12five"
            continue
        first = _WORD.match(norm, start)
        if first is None:  # pragma: no cover - the hit itself is a word
            pos = start + 1
            continue
        parts = first.group(0).split("-")
        end = first.end()
        if not all(p in WORD_VALUES for p in parts):
            pos = end
            continue
        total = sum(WORD_VALUES[p] for p in parts)
        while (nxt := _WORD.search(norm, end)) is not None and nxt.start() - end <= 2:
            w = nxt.group(0)
            if w in WORD_VALUES and WORD_VALUES[w] < total and total >= 20:
                total += WORD_VALUES[w]
            elif w == "hundred":
                total *= 100
            elif w in MULTIPLIERS and w != "k":
                total *= MULTIPLIERS[w]
            elif not (w == "and" and total >= 100):
                break
            total = min(total, MAX_VALUE + 1)  # no big-number arithmetic on repeated "мільйон"
            end = nxt.end()
        if total <= MAX_VALUE:  # "мільйон мільйонів" is no count either
            out.append(Number(total, start, end, is_word=True))
        pos = end
    return out


def _inside_word(norm: str, i: int) -> bool:
    prev = norm[i - 1]
    if prev == "-":
        return i >= 2 and norm[i - 2].isalpha()
    return prev.isalnum() or prev in "'_"


_DIGIT = re.compile(r"\d")


def has_number(norm: str) -> bool:
    """Whether the text states any number, in digits or in words (a cheap pre-check)."""
    return bool(_DIGIT.search(norm)) or _has_word_number(norm)
