"""Which patterns of a family can match a text, told by the literal words they start with.

Each of the parser's trigger kinds starts with one of a few dozen literal stems ("бпла",
"обстріл"). Testing every kind's stems separately scans the post once per kind; one trie of all
stems scans it once, and is about twice as fast over the whole family.
"""

from __future__ import annotations

import re

from bot.parsing.numbers import trie_pattern


class LiteralIndex:
    """Keys whose literal starts occur in a text; a key given ``None`` always counts."""

    def __init__(self, groups: dict[str, tuple[str, ...] | None]) -> None:
        owners: dict[str, set[str]] = {}
        for key, lits in groups.items():
            for lit in lits or ():
                owners.setdefault(lit, set()).add(key)
        self._order = tuple(groups)
        self._always = frozenset(k for k, lits in groups.items() if lits is None)
        self._rx = re.compile(trie_pattern(owners)) if owners else None
        # The trie finds the longest literal at a place: those it starts with are there too.
        self._keys = {
            lit: frozenset(
                k for other, keys in owners.items() if lit.startswith(other) for k in keys
            )
            for lit in owners
        }

    def keys_in(self, text: str) -> list[str]:
        """The keys that may match ``text``, in the order they were given."""
        found = set(self._always)
        if self._rx is not None:
            search, pos = self._rx.search, 0
            while (m := search(text, pos)) is not None:
                found |= self._keys[m.group()]
                pos = m.start() + 1  # literals may overlap: resume just after this start
        return [k for k in self._order if k in found]
