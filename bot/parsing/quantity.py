"""What every figure rule shares: the per-kind tally, and whether a number counts anything.

Numbers that are not counts of the event (ages, dates, times, model numbers such as "Х-101",
train numbers) never reach the figure rules: the tokenizer drops digits glued to letters, and
:func:`quantity` skips ages and dates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Final

from bot.parsing.tokens import Token

Tally = defaultdict[str, dict[str, int]]


def new_tally() -> Tally:
    return defaultdict(dict)


def add(tally: Tally, kind: str, field: str, value: int) -> None:
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


# A clause that states a running total over weeks, months or the whole war ("З початку
# повномасштабного вторгнення загинули 1500 людей", "За тиждень росія запустила 1300 дронів")
# gives no figure of today's event.
CUMULATIVE: Final = re.compile(
    r"(?<!\w)(?:з початку (?:повномасштабного |широкомасштабного )?(?:вторгнення|війни|року|місяця)|"
    r"за (?:цей |минулий |останній )?(?:тиждень|місяць|рік)|з 24 лютого|"
    r"since (?:the (?:start|beginning) of (?:the )?(?:full-scale )?(?:invasion|war|year|month)|"
    r"february 24|24 february)|(?:this|last|past) (?:week|month|year)|in the past (?:week|month))"
)
