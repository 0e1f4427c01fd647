"""Sorting names the way a reader of the language expects: Ukrainian alphabetical order
(А Б В Г Ґ Д Е Є Ж З И І Ї Й …), which code-point order gets wrong (І, Є, Ї sort first)."""

from __future__ import annotations

from typing import Final

UK_ALPHABET: Final = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_RANK: Final = {ch: i for i, ch in enumerate(UK_ALPHABET)}


def sort_key(name: str, lang: str = "uk") -> tuple[tuple[int, int | str], ...]:
    """A key ordering ``name`` alphabetically in ``lang`` (Latin letters by code point)."""
    if lang != "uk":
        return tuple((0, ch) for ch in name.casefold())
    return tuple((1, _RANK[ch]) if ch in _RANK else (0, ch) for ch in name.lower().replace("'", ""))
