"""Official Ukrainian→Latin transliteration (Cabinet of Ministers resolution No. 55 of 2010).

Used to give every place an English name and an English surface form; the build script calls it,
and /subscribe lookups accept its output.
"""

from __future__ import annotations

_PLAIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ю": "iu",
    "я": "ia",
    "ь": "",
    "'": "",
    "’": "",
    "ʼ": "",
}
_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def translit(text: str) -> str:
    """Transliterate Ukrainian text; є/ї/й/ю/я are Ye/Yi/Y/Yu/Ya at the start of a word, зг→zgh."""
    out: list[str] = []
    prev = ""
    for ch in text:
        low = ch.lower()
        if low not in _PLAIN:
            out.append(ch)
            prev = ""
            continue
        if low == "г" and prev == "з":
            lat = "gh"
        elif low in _INITIAL and not prev.isalpha():
            lat = _INITIAL[low]
        else:
            lat = _PLAIN[low]
        if ch != low and lat:
            # Capital letter: capitalise the whole digraph only if the next letter is capital too;
            # word-level capitals ("ЖИТОМИР") are rare, so Title case is the useful default.
            lat = lat[0].upper() + lat[1:]
        out.append(lat)
        prev = low if low not in "'’ʼ" else (prev or "")
    return "".join(out)
