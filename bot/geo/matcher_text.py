"""Length-preserving normalisation and word tokens shared by the build script and the matcher.

Offsets found in the normalised text are offsets in the original, so mentions can point back at
the clause they came from. Keys (``normalise_key``) are the same token stream joined by " " (or "-"
where the words were hyphenated), so build-time surfaces and run-time n-grams compare equal.
"""

from __future__ import annotations

import re

_APOSTROPHES = "'’ʼ`′‘ʹ´"
_LOOKALIKE = str.maketrans("aceiopxykhbmt", "асеіорхукнвмт")
_CHARMAP = str.maketrans(
    {
        **{a: "'" for a in _APOSTROPHES},
        **{"ё": "е", "–": "-", "—": "-", "−": "-", "‑": "-", "‐": "-"},
        # No-break and fixed-width spaces ("NBSP variants") are plain spaces for matching.
        **{ch: " " for ch in "\u00a0\u202f\u2007\u205f\u3000\u2028\u2029"},
        **{chr(c): " " for c in range(0x2000, 0x200B)},
    }
)
# Characters that render as nothing. Always dropped: zero-width space, word joiner, soft hyphen,
# BOM, direction marks and embeddings, the combining grapheme joiner, invisible operators. Joiners
# and variation selectors also build emoji ("👨‍👩", "☄️"), so they go only where they touch a letter
# ("Київ\u200dська", "обл\ufe0fасть").
_INVISIBLE = re.compile(
    "[\u200b\u2060\u00ad\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069\u034f\u180e\u2061-\u2064]"
    "|(?<=\\w)[\u200c\u200d\ufe00-\ufe0f]+|[\u200c\u200d]+(?=\\w)"
)
_INVISIBLE_ANY = re.compile(
    "[\u200b-\u200f\u2060-\u2064\u00ad\ufeff\u202a-\u202e\u2066-\u2069\u034f\u180e\ufe00-\ufe0f]"
)


def strip_invisible(text: str) -> str:
    """The text without invisible characters that split words: "Київ\u200bська" → "Київська".

    Not length-preserving, so callers clean the post once, first, and take every offset from the
    cleaned text. Most posts have none: one search, no copy.
    """
    if _INVISIBLE_ANY.search(text) is None:
        return text
    return _INVISIBLE.sub("", text)


_CYR = re.compile(r"[а-яіїєґ]")
_LATIN = re.compile(r"[a-z]")
_LATIN_WORD = re.compile(r"[a-zа-яіїєґ']*[a-z][a-zа-яіїєґ']*")
WORD = re.compile(r"[0-9a-zа-яіїєґ]+(?:'[0-9a-zа-яіїєґ]+)*")
# A hyphen right after a word and right before the next: the next word is "hyphen_before".
_JOINED = re.compile(r"(?<=[0-9a-zа-яіїєґ])-(?=[0-9a-zа-яіїєґ])")


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # "İ" and a few others grow when lowered
        low = "".join(ch.lower()[:1] or ch for ch in text)
    return low


def _fix_lookalikes(m: re.Match[str]) -> str:
    w = m.group(0)
    return w.translate(_LOOKALIKE) if _CYR.search(w) else w


def normalise(text: str) -> str:
    """Lower case, one apostrophe, ASCII hyphen, ё→е, Latin look-alikes in Cyrillic words; same length."""
    low = _lower(text).translate(_CHARMAP)
    if not _CYR.search(low) or not _LATIN.search(low):
        return low  # nothing to mix up: all Cyrillic, or no Cyrillic at all
    return _LATIN_WORD.sub(_fix_lookalikes, low)


def words(norm: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, word, hyphen_before) for each word of normalised text."""
    out: list[tuple[int, int, str, bool]] = []
    prev_end = -2
    possessive = "'s" in norm  # English "Kyiv's mayor": the name without "'s"
    if not possessive:  # the common case: one pass, no per-word bookkeeping
        joined = {m.end() for m in _JOINED.finditer(norm)} if "-" in norm else set()
        return [(s, e, m.group(), s in joined) for m in WORD.finditer(norm) for s, e in (m.span(),)]
    for m in WORD.finditer(norm):
        (s, e), w = m.span(), m.group()
        if possessive and w.endswith("'s") and w.isascii():
            e, w = e - 2, w[:-2]
        out.append((s, e, w, s == prev_end + 1 and norm[prev_end] == "-"))
        prev_end = e
    return out


def join_words(ws: list[tuple[int, int, str, bool]]) -> str:
    """Key of a run of words: joined by "-" where hyphenated in the text, else by a space."""
    parts = [ws[0][2]]
    for w in ws[1:]:
        parts.append(("-" if w[3] else " ") + w[2])
    return "".join(parts)


def normalise_key(surface: str) -> str:
    """The dictionary key of a surface form ("м. Київ" → "м київ", "Куп’янськ" → "куп'янськ")."""
    ws = words(normalise(surface))
    return join_words(ws) if ws else ""
