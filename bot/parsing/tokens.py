"""A small token stream over normalised text: words, numbers and punctuation with offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parsing.numbers import find_numbers

# Keycap marks and emoji selectors ("3⃣", "3️⃣") and invisible joiners are no tokens: a keycap
# digit is the plain digit before them.
_TOKEN = re.compile(r"[\w'’]+(?:-[\w']+)*|[^\w\s\u20e3\ufe0e\ufe0f\u200b-\u200d\u2060\ufeff]")


@dataclass(slots=True)
class Token:
    """``value`` is set for numbers; ``text`` is the normalised surface. (Not frozen: a frozen
    dataclass is several times slower to build, and the parser makes many tokens per post.)"""

    text: str
    start: int
    end: int
    value: int | None = None

    @property
    def is_number(self) -> bool:
        return self.value is not None

    @property
    def is_punct(self) -> bool:
        return self.value is None and not (self.text[:1].isalnum() or self.text[:1] == "'")


def tokenize(norm: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``norm[start:end]``; multi-word numbers ("48 тисяч", "двадцять два") are one token.

    The words between numbers are matched in one run each: building tokens is most of the
    parser's cost on long posts, so the loop does nothing per word but make its token.
    """
    end = len(norm) if end is None else end
    span = norm[start:end]
    out: list[Token] = []
    pos = 0
    for n in find_numbers(span):
        if n.start < pos:
            continue
        out.extend(
            [
                Token(m.group(), start + m.start(), start + m.end())
                for m in _TOKEN.finditer(span, pos, n.start)
            ]
        )
        out.append(Token(span[n.start : n.end], start + n.start, start + n.end, n.value))
        # A word that starts inside the number and runs past it ("5-7") is part of it.
        pos = n.start
        while (m := _TOKEN.search(span, pos)) is not None and m.start() < n.end:
            pos = m.end()
        pos = max(pos, n.end)
    out.extend(
        [Token(m.group(), start + m.start(), start + m.end()) for m in _TOKEN.finditer(span, pos)]
    )
    return out
