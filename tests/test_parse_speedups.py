"""The parser's cheap pre-checks must never rule out what the full pattern would find."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.parsing import parse
from bot.parsing.anchors import LiteralIndex
from bot.parsing.kinds import TRIGGERS, candidate_kinds, may_match
from bot.parsing.parser import _WEAPON_HINTS, _WEAPONS
from bot.parsing.text import normalise

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


def _corpus_texts() -> list[str]:
    path = Path(__file__).parent / "data" / "posts-own.jsonl"
    texts = [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines() if line]
    return texts + [t.upper() for t in texts]


def test_one_scan_finds_the_same_candidate_kinds_as_one_scan_per_kind() -> None:
    for text in _corpus_texts():
        norm = normalise(text)
        expected = [kind for kind, rx in TRIGGERS.items() if may_match(rx, norm)]
        assert candidate_kinds(norm) == expected


def test_overlapping_literals_are_all_found() -> None:
    index = LiteralIndex({"a": ("дрон",), "b": ("дронов",), "c": ("онов",), "d": None, "e": ("x",)})
    assert index.keys_in("про дронов") == ["a", "b", "c", "d"]
    assert index.keys_in("нічого") == ["d"]
