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
    """Tokens of ``norm[start:end]``; multi-word numbers ("48 тисяч", "двадцять два") are one token."""
    end = len(norm) if end is None else end
    span = norm[start:end]
    numbers = find_numbers(span)
    out: list[Token] = []
    ni = 0
    for m in _TOKEN.finditer(span):
        while ni < len(numbers) and numbers[ni].end <= m.start():
            ni += 1
        if ni < len(numbers) and numbers[ni].start <= m.start() < numbers[ni].end:
            n = numbers[ni]
            if not out or out[-1].start != start + n.start:
                out.append(Token(span[n.start : n.end], start + n.start, start + n.end, n.value))
            continue
        out.append(Token(m.group(0), start + m.start(), start + m.end()))
    return out
