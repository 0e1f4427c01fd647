"""What a post can mean: the longest text worth parsing and the largest figure of each field.

Hostile or broken input (a megabyte of text, a 400-digit number) must neither stall the pipeline,
which parses inside its write transaction, nor reach subscribers as "injured 10³⁰".
"""

from __future__ import annotations

import re
from typing import Final

# The longest real posts (an Air Force night summary, a railway delay table) stay under 4,000
# characters; Telegram caps a message at 4,096 and a captioned post lower still.
MAX_TEXT: Final = 8_000
# How far back from the cap a cut may move to end on whitespace rather than inside a word.
_CUT_WINDOW: Final = 400
_SPACE: Final = re.compile(r"\s")

# A digit run longer than this is no count of anything (an id, a phone number, garbage).
MAX_DIGITS: Final = 9

# The largest figure each field can mean in one post; anything above is dropped, not clamped.
FIELD_MAX: Final[dict[str, int]] = {
    "launched": 20_000,  # a month's drones and missiles in a monthly summary
    "destroyed": 20_000,
    "hit": 20_000,
    "locations": 2_000,
    "killed": 20_000,
    "injured": 20_000,
    "consumers": 5_000_000,  # a few million customers: the largest oblast blackouts
    "delay_minutes": 3 * 24 * 60,  # a few days
    "trains": 500,
    # Damage (``bot.parsing.damage``): a city's houses after a month of shelling at most.
    **{
        f"{noun}{state}": 50_000
        for noun in ("houses", "apartment_blocks", "buildings", "objects", "vehicles")
        for state in ("", "_destroyed")
    },
}


def clip(text: str) -> str:
    """``text`` cut to at most :data:`MAX_TEXT` characters, on whitespace where there is any near
    the cap. Linear: one backwards scan of at most ``_CUT_WINDOW`` characters."""
    if len(text) <= MAX_TEXT:
        return text
    cut = MAX_TEXT
    for i in range(MAX_TEXT, MAX_TEXT - _CUT_WINDOW, -1):
        if _SPACE.match(text, i):
            cut = i
            break
    return text[:cut]


def bounded(counts: dict[str, int]) -> dict[str, int]:
    """The figures that a post can mean: non-negative and within each field's maximum."""
    return {k: v for k, v in counts.items() if 0 <= v <= FIELD_MAX.get(k, 0)}
