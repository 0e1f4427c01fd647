"""Text normalisation and sentence splitting shared by the parser's rules.

Everything works on a *normalised* copy of the post that keeps the original's length, so that
character offsets found in it (by rules or by the place matcher) point at the same text in the
original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.geo.matcher_text import normalise as geo_normalise
from bot.geo.matcher_text import strip_invisible

__all__ = ["Clause", "clauses", "normalise", "strip_invisible"]

# One normalisation for the parser and the place matcher, so their offsets agree.
normalise = geo_normalise


@dataclass(frozen=True, slots=True)
class Clause:
    """A sentence or line of the post, with its offsets in the original text."""

    start: int
    end: int
    text: str  # the normalised text of the clause


# Sentence ends: . ! ? ; or a line break; but not the dot of an abbreviation or a decimal.
_SPLIT = re.compile(r"(?<![0-9])[.!?;]+(?=\s|$)|(?<=[0-9])\.(?=\s+[^0-9\s])|\n+")
_ABBREV = re.compile(
    r"(?:\b(?:м|смт|с|обл|р-н|тис|тыс|млн|кв|год|хв|вул|просп|ст|пгт|no|ім|р)|\bнп)$"
)


def clauses(norm: str) -> list[Clause]:
    """Split normalised text into sentences/lines, keeping offsets."""
    out: list[Clause] = []
    start = 0
    for m in _SPLIT.finditer(norm):
        if m.group(0).startswith(".") and _ABBREV.search(norm[max(0, m.start() - 6) : m.start()]):
            continue
        if m.start() > start:
            out.append(Clause(start, m.start(), norm[start : m.start()]))
        start = m.end()
    if start < len(norm):
        out.append(Clause(start, len(norm), norm[start:]))
    return [c for c in out if c.text.strip()]
