"""Text normalisation and sentence splitting shared by the parser's rules.

Everything works on a *normalised* copy of the post that keeps the original's length, so that
character offsets found in it (by rules or by the place matcher) point at the same text in the
original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_APOSTROPHES = "'’ʼ`′‘ʹ"
# Latin letters that look like Cyrillic ones, mapped only inside otherwise Cyrillic words.
_LOOKALIKE = str.maketrans("aceiopxykhbmt", "асеіорхукнвмт")
_CYRILLIC = re.compile(r"[а-яіїєґё]")
_LATIN_IN_WORD = re.compile(r"[a-zа-яіїєґё'-]*[a-z][a-zа-яіїєґё'-]*")
_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‑": "-", "\u00a0": " ", "\u202f": " "})


def normalise(text: str) -> str:
    """Lower-case, one apostrophe, ASCII dashes and spaces, look-alike letters fixed; same length."""
    low = text.lower()
    if len(low) != len(text):  # a few exotic code points change length when lowered
        low = "".join(ch.lower()[0] if ch.lower() else ch for ch in text)
    low = low.translate(_DASHES)
    low = "".join("'" if ch in _APOSTROPHES else ch for ch in low)

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        return word.translate(_LOOKALIKE) if _CYRILLIC.search(word) else word

    return _LATIN_IN_WORD.sub(fix, low)


@dataclass(frozen=True, slots=True)
class Clause:
    """A sentence or line of the post, with its offsets in the original text."""

    start: int
    end: int
    text: str  # the normalised text of the clause


# Sentence ends: . ! ? ; or a line break; but not the dot of an abbreviation or a decimal.
_SPLIT = re.compile(r"(?<![0-9])[.!?;]+(?=\s|$)|(?<=[0-9])\.(?=\s+[^0-9\s])|\n+")
_ABBREV = re.compile(
    r"(?:\b(?:м|смт|с|обл|р-н|тис|млн|кв|год|хв|вул|просп|ст|пгт|no|ім|р)|\bнп)$"
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
