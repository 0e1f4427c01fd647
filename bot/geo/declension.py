"""Hand-written Ukrainian and Russian declension by ending, for names pymorphy3 does not know.

Only the build script uses this. Each function maps a lower-case nominative to its forms per case
(nomn, gent, datv, accs, ablt, loct), so multi-word names can be put together case by case.
Over-generation is harmless (a form nobody writes is never matched); missing forms lose matches.
"""

from __future__ import annotations

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
Forms = dict[str, set[str]]

_ALT = {"к": "ц", "г": "з", "х": "с"}  # consonant alternation before -і (Костянтинівка → -івці)
_SIBILANT = "жчшщ"
_DOUBLE = ("жж", "лл", "сс", "тт", "нн", "чч", "дд", "зз", "цц", "рр")


def _mk(n: str, g: list[str], d: list[str], a: list[str], i: list[str], lo: list[str]) -> Forms:
    return {
        "nomn": {n},
        "gent": set(g),
        "datv": set(d),
        "accs": set(a),
        "ablt": set(i),
        "loct": set(lo),
    }


def adjective_uk(w: str) -> Forms | None:
    """Adjective forms in the gender/number of the nominative, or None if it is not adjectival."""
    if w.endswith("ий"):
        s = w[:-2]
        return _mk(w, [s + "ого"], [s + "ому"], [w, s + "ого"], [s + "им"], [s + "ому", s + "ім"])
    if w.endswith("ій") and len(w) > 4:
        s = w[:-2]
        return _mk(w, [s + "ього"], [s + "ьому"], [w], [s + "ім"], [s + "ьому", s + "ім"])
    if (
        w.endswith(("ська", "цька", "зька", "на", "ва", "ла", "ра", "ча", "жа", "ша"))
        and len(w) > 3
    ):
        s = w[:-1]
        return _mk(w, [s + "ої"], [s + "ій"], [s + "у"], [s + "ою"], [s + "ій"])
    if w.endswith("ня") and len(w) > 4:  # Верхня, Нижня
        s = w[:-1]
        return _mk(w, [s + "ьої"], [s + "ій"], [s + "ю"], [s + "ьою"], [s + "ій"])
    if w.endswith(("ське", "цьке", "не", "ве", "ле", "ре", "ке", "те")):
        s = w[:-1]
        return _mk(w, [s + "ого"], [s + "ому"], [w], [s + "им"], [s + "ому", s + "ім"])
    if w.endswith(("ські", "цькі", "ні", "ві", "лі", "рі")) and len(w) > 4:
        s = w[:-1]
        return _mk(w, [s + "их"], [s + "им"], [w], [s + "ими"], [s + "их"])
    return None


def noun_uk(w: str) -> Forms:
    """Noun forms by ending (place names: -ка, -ів, -ськ, -о, -е, -і/-и plural, -а/-я, -ь)."""
    if w.endswith(("е", "є")) and (adj := adjective_uk(w)) is not None:
        return adj
    if w.endswith("а"):
        s = w[:-1]
        soft = s[-1:] in _SIBILANT or s.endswith("й")
        loc = s[:-1] + _ALT.get(s[-1:], s[-1:]) + "і"
        return _mk(
            w, [s + ("і" if soft else "и")], [loc], [s + "у"], [s + ("ею" if soft else "ою")], [loc]
        )
    if w.endswith("я"):
        s = w[:-1]
        if s.endswith(_DOUBLE):  # Запоріжжя, Закарпаття: neuter
            return _mk(w, [w], [s + "ю"], [w], [s + "ям"], [s + "і"])
        if s[-1:] in "аеиіоуєїюя'":
            return _mk(w, [s + "ї"], [s + "ї"], [s + "ю"], [s + "єю"], [s + "ї"])
        return _mk(w, [s + "і"], [s + "і"], [s + "ю"], [s + "ею"], [s + "і"])
    if w.endswith("о"):
        s = w[:-1]
        return _mk(w, [s + "а"], [s + "у", s + "ові"], [w], [s + "ом"], [s + "і", s + "у"])
    if w.endswith(("і", "и")):  # plural: Суми, Бровари, Ківерці
        s = w[:-1]
        soft = w.endswith("і")
        return _mk(
            w,
            [s, s + "ів"],
            [s + ("ям" if soft else "ам")],
            [w],
            [s + ("ями" if soft else "ами")],
            [s + ("ях" if soft else "ах")],
        )
    if w.endswith("ь"):
        s = w[:-1]
        return _mk(w, [s + "я"], [s + "ю", s + "еві"], [w], [s + "ем"], [s + "і"])
    if w.endswith("й"):
        s = w[:-1]
        return _mk(w, [s + "я"], [s + "ю", s + "єві"], [w], [s + "єм"], [s + "ї"])
    if w.endswith(("ів", "їв")) and len(w) >= 4:
        s = w[:-2] + ("є" if w.endswith("їв") else "о")
        return _mk(w, [s + "ва"], [s + "ву", s + "вові"], [w], [s + "вом"], [s + "ві"])
    if w[-1:].isalpha():
        locs = [w + "у"] if w[-1] in "кгх" else [w + "і"]
        return _mk(w, [w + "а", w + "у"], [w + "у", w + "ові"], [w], [w + "ом"], locs)
    return {c: {w} for c in CASES}


def adjective_ru(w: str) -> Forms:
    """Russian feminine/masculine adjective (Харьковская, Кривой) forms."""
    if w.endswith("ая"):
        s = w[:-2]
        return _mk(w, [s + "ой"], [s + "ой"], [s + "ую"], [s + "ой", s + "ою"], [s + "ой"])
    if w.endswith(("ый", "ий", "ой")):
        s = w[:-2]
        soft = s[-1:] in "кгхжчшщ"
        return _mk(w, [s + "ого"], [s + "ому"], [w], [s + ("им" if soft else "ым")], [s + "ом"])
    return noun_ru(w)


def noun_ru(w: str) -> Forms:
    """Russian noun forms by ending (Харьков, Николаев, Днепр, Запорожье, Сумы, Одесса)."""
    if w.endswith("ье"):
        s = w[:-1]
        return _mk(w, [s + "я"], [s + "ю"], [w], [s + "ем"], [s + "е"])
    if w.endswith("а"):
        s = w[:-1]
        soft = s[-1:] in "кгхжчшщ"
        return _mk(w, [s + ("и" if soft else "ы")], [s + "е"], [s + "у"], [s + "ой"], [s + "е"])
    if w.endswith("я"):
        s = w[:-1]
        return _mk(w, [s + "и"], [s + "и", s + "е"], [s + "ю"], [s + "ей"], [s + "и", s + "е"])
    if w.endswith(("ы", "и")):
        s = w[:-1]
        return _mk(w, [s, s + "ов"], [s + "ам"], [w], [s + "ами"], [s + "ах"])
    if w.endswith("ь"):
        s = w[:-1]
        return _mk(w, [s + "я"], [s + "ю"], [w], [s + "ем"], [s + "е"])
    if w.endswith(("о", "е")):
        return {c: {w} for c in CASES}
    if w.endswith("й"):
        s = w[:-1]
        return _mk(w, [s + "я"], [s + "ю"], [w], [s + "ем"], [s + "е"])
    return _mk(w, [w + "а"], [w + "у"], [w], [w + "ом"], [w + "е"])
