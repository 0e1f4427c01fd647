"""The parser's cheap pre-checks must never rule out what the full pattern would find."""

from __future__ import annotations

import re

import pytest

from bot.parsing import parse
from bot.parsing.parser import _WEAPON_HINTS, _WEAPONS

# A weapon pattern is literal alternatives plus look-arounds and optional endings.
_NOT_LITERAL = re.compile(r"\(\?<?[!=][^)]*\)|\(\?:[^)]*\)\?")


@pytest.mark.parametrize(("name", "rx"), _WEAPONS)
def test_weapon_hints_are_the_patterns_literal_words(name: str, rx: re.Pattern[str]) -> None:
    assert list(_WEAPON_HINTS[name]) == _NOT_LITERAL.sub("", rx.pattern).split("|")


@pytest.mark.parametrize(
    ("text", "weapons"),
    [
        ("Збито 12 шахедів та 3 крилаті ракети Х-101", ("shahed", "cruise")),
        ("Скинули КАБи на Куп'янськ, обстріл з РСЗВ Град", ("kab", "mlrs")),
        ("Обстріл: артилерія та FPV-дрони", ("artillery", "fpv")),
    ],
)
def test_weapons_of_an_attack(text: str, weapons: tuple[str, ...]) -> None:
    events = parse(text)
    assert events
    assert {w for e in events for w in e.weapons} == set(weapons)
