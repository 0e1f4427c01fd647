"""Build bot/geo/data/gazetteer.json.gz from the KATOTTG codifier and the hand-written name lists.

Every name is expanded into its inflected surfaces (pymorphy3 where the dictionary knows the word,
ending rules from bot.geo.declension otherwise), plus English (official transliteration), Russian and
old names, so that the runtime only does dictionary lookups and needs neither pymorphy3 nor the CSV.

    python scripts/build_gazetteer.py [CSV] [OUT]
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pymorphy3

from bot.geo import translit
from bot.geo.declension import CASES, Forms, adjective_ru, adjective_uk, noun_ru, noun_uk
from bot.geo.extra_names import (
    CITY_ALIASES,
    IRREGULAR,
    KYIV_NEIGHBOURHOODS,
    KYIV_SURFACES,
    REGION_EN,
    REGION_INFORMAL,
    REGION_RU,
    REGION_SURFACES,
    RENAMED,
    RENAMED_EN,
    STOP_NAMES,
    STOP_NAMES_EN,
)
from bot.geo.foreign_names import ABROAD, ABROAD_EN, FOREIGN, FOREIGN_SURFACES, RUSSIAN_OBLASTS
from bot.geo.matcher_text import normalise_key
from bot.geo.old_raions import OLD_RAIONS
from bot.geo.regions import REGIONS, iso_from_katottg

ROOT = Path(__file__).resolve().parent.parent
CSV_PATH = ROOT / "scripts" / "data" / "katottg-2025-05-16.csv"
OUT_PATH = ROOT / "bot" / "geo" / "data" / "gazetteer.json.gz"
LEVELS = {
    "P": "raion",
    "H": "hromada",
    "M": "city",
    "X": "selyshche",
    "C": "village",
    "B": "district",
}

MORPH = pymorphy3.MorphAnalyzer(lang="uk")


def _pick(word: str, want_adj: bool) -> pymorphy3.analyzer.Parse | None:
    """The parse of ``word`` as a nominative noun (or adjective), preferring non-person nouns."""
    best, best_score = None, -1
    for p in MORPH.parse(word):
        t = p.tag
        if p.word != word or t.case != "nomn" or t.POS not in ("NOUN", "ADJF"):
            continue
        score = 4 if (t.POS == "ADJF") == want_adj else 0
        score += 2 if p.normal_form == word else 0
        score += 0 if {"Surn", "Name", "Patr", "anim"} & t.grammemes else 1
        if score > best_score:
            best, best_score = p, score
    return best


@cache
def _morph(word: str, want_adj: bool) -> Forms | None:
    p = _pick(word, want_adj)
    if p is None:
        return None
    number, gender, pos = p.tag.number, p.tag.gender, p.tag.POS
    out: Forms = {c: set() for c in CASES}
    for f in p.lexeme:
        t = f.tag
        if t.case in out and t.number == number and (pos != "ADJF" or t.gender == gender):
            out[t.case].add(f.word)
    out["nomn"].add(word)
    return out if all(out.values()) else None


def _possessive(w: str) -> Forms | None:
    """Possessive adjective before a noun: Часів Яр → Часового Яру."""
    if w.endswith(("ів", "їв")):
        s = w[:-2] + ("ов" if w.endswith("ів") else "єв")
        return {
            "nomn": {w},
            "gent": {s + "ого"},
            "datv": {s + "ому"},
            "accs": {w},
            "ablt": {s + "им"},
            "loct": {s + "ому", s + "ім"},
        }
    return None


def word_forms(w: str, multi: bool) -> Forms:
    """Forms per case of one word of a name; ``multi`` = part of a several-word name."""
    if "-" in w and _morph(w, False) is None:
        head, tail = w.split("-", 1)
        tf = word_forms(tail, True)
        if head.endswith("о"):
            return {c: {f"{head}-{x}" for x in tf[c]} for c in CASES}
        hf = word_forms(head, False)
        return {c: {f"{a}-{b}" for a in hf[c] for b in tf[c]} for c in CASES}
    if multi and (adj := _morph(w, True) or adjective_uk(w)) is not None:
        return adj
    if multi and (pos := _possessive(w)) is not None:
        return pos
    return _morph(w, False) or _morph(w, True) or noun_uk(w)


def name_forms(name: str) -> set[str]:
    """All case forms of a (possibly several-word) Ukrainian name, lower-case, apostrophe '."""
    words = normalise_key(name).split()
    per = [word_forms(w, len(words) > 1) for w in words]
    out: set[str] = set()
    for c in CASES:
        for combo in itertools.islice(itertools.product(*(f[c] for f in per)), 16):
            out.add(" ".join(combo))
    return out


def adj_forms(adj: str, ru: bool = False) -> set[str]:
    w = normalise_key(adj)
    f = adjective_ru(w) if ru else (_morph(w, True) or adjective_uk(w) or noun_uk(w))
    return set().union(*f.values())


def ru_forms(name: str) -> set[str]:
    words = normalise_key(name).split()
    per = [
        adjective_ru(w) if len(words) > 1 and i < len(words) - 1 else noun_ru(w)
        for i, w in enumerate(words)
    ]
    return {" ".join(c) for case in CASES for c in itertools.product(*(f[case] for f in per))}


def _stem(adj: str) -> str:
    for suf in ("ський", "цький", "зький", "ська", "цька", "зька", "ий", "а"):
        if adj.endswith(suf):
            return adj[: -len(suf)]
    return adj


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _centre(adj: str, settlements: list[tuple[str, str]]) -> str | None:
    """The settlement a raion/hromada adjective is named after (Конотопський → Конотоп)."""
    s = _stem(normalise_key(adj))
    best, best_len = None, max(3, len(s) - 2)
    for name, cat in settlements:
        n = _common_prefix(s, normalise_key(name))
        if n > best_len or (n == best_len and best is not None and cat == "M"):
            best, best_len = name, n
    return best


def informal_raion(adj: str) -> str | None:
    """Конотопський → Конотопщина, Донецький → Донеччина (Ukrainian informal raion names)."""
    a = normalise_key(adj)
    if a.endswith("ський"):
        return a[:-5] + "щина"
    if a.endswith("цький"):
        return a[:-5] + "ччина"
    return None


def add_old_raions(rows: list[list[str]], add_place: Any, add: Any, adjs: Any) -> None:
    """Pre-2020 raions as raion places flagged "o" (ranked below current raions); "u" when the
    centre they were named after is a city, which breaks ties between same-named old raions."""
    current = {(iso_from_katottg(r[0]), normalise_key(r[6].strip())) for r in rows if r[5] == "P"}
    settlements: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        if r[5] in "MX":
            settlements[iso_from_katottg(r[0])].append((r[6].strip(), r[5]))
    for region, names in OLD_RAIONS.items():
        for adj in names.split():
            key = normalise_key(adj)
            if (region, key) in current:
                continue
            centre = _centre(adj, settlements[region])
            urban = centre is not None and (centre, "M") in settlements[region]
            en = translit(centre) if centre else translit(adj)
            pid = add_place(
                f"old:{region}:{key}",
                "raion",
                region,
                f"{adj} район",
                f"{en} raion",
                "",
                "ou" if urban else "o",
            )
            add(adj_forms(adj), pid, adjs)
            add([f"{e} {w}" for e in {translit(adj), en} for w in ("raion", "district")], pid)


def build(csv_path: Path) -> dict[str, Any]:
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.reader(fh, delimiter=";")][1:]
    places: list[list[str]] = []
    forms: dict[str, set[int]] = defaultdict(set)
    adjs: dict[str, set[int]] = defaultdict(set)
    region_id: dict[str, int] = {}

    def add_place(
        key: str, level: str, region: str, uk: str, en: str, raion: str = "", flags: str = ""
    ) -> int:
        places.append([key, level, region, uk, en, raion, flags])
        return len(places) - 1

    def add(surfaces: set[str] | list[str], pid: int, table: dict[str, set[int]] = forms) -> None:
        for s in surfaces:
            if key := normalise_key(s):
                table[key].add(pid)

    for code, reg in REGIONS.items():
        region_id[code] = pid = add_place(
            "region:" + code, "region", code, reg.name_uk, reg.name_en
        )
        for inf in REGION_INFORMAL.get(code, []):
            add(name_forms(inf), pid)
        add(REGION_SURFACES.get(code, []), pid)
        for stem in REGION_EN.get(code, []):
            # "Kyiv governor", "Kyiv regional (military) administration": the oblast's
            # authorities, so the oblast, never the city of the same name.
            words = ("oblast", "region", "province", "area", "governor", "regional")
            add([f"{stem} {w}" for w in words], pid)
            add([stem], pid, adjs)  # "Kyiv, Chernihiv and Sumy regions": stems before a head noun
        if code in REGION_RU:
            ru = adj_forms(REGION_RU[code], ru=True)
            add(ru, pid)
            add(ru, pid, adjs)
    add(name_forms("Київ"), region_id["UA-30"])
    for quarter in KYIV_NEIGHBOURHOODS:
        add(name_forms(quarter), region_id["UA-30"])
    add(KYIV_SURFACES, region_id["UA-30"])
    add(name_forms("Севастополь"), region_id["UA-40"])

    children: dict[str, list[tuple[str, str]]] = defaultdict(list)  # parent code → settlements
    for r in rows:
        if r[5] in "MXC":
            children[r[1]].append((r[6].strip(), r[5]))
            children[r[2]].append((r[6].strip(), r[5]))
    by_name: dict[tuple[str, str], int] = {}
    region_informal = {normalise_key(x) for v in REGION_INFORMAL.values() for x in v}

    for r in rows:
        cat, name = r[5], r[6].strip()
        region = iso_from_katottg(r[0])
        if cat == "O":
            pid = region_id[region]
            add(name_forms(name), pid)  # bare feminine adjective counts as the oblast
            add(name_forms(name), pid, adjs)
            continue
        if cat == "K":
            continue
        key = r[4] or r[3] or r[2] or r[1]
        level = LEVELS[cat]
        if cat == "P":
            centre: str | None = _centre(name, children[r[1]])
            en = translit(centre) if centre else translit(name)
            pid = add_place(key, level, region, f"{name} район", f"{en} raion", r[1])
            add(adj_forms(name), pid, adjs)
            ens = {translit(name), en}
            add([f"{e} {w}" for e in ens for w in ("raion", "district", "rayon")], pid)
            raion_inf = informal_raion(name)
            if raion_inf and raion_inf not in region_informal:
                add(name_forms(raion_inf), pid)
        elif cat == "H":
            cities = [n for n, c in children[r[2]] if c == "M"]
            urban = bool(cities)  # a city hromada ("Криворізька" → Кривий Ріг)
            centre = _centre(name, children[r[2]]) or (cities[0] if len(cities) == 1 else None)
            en = translit(centre) if centre else translit(name)
            pid = add_place(
                key, level, region, f"{name} громада", f"{en} hromada", r[1], "u" if urban else ""
            )
            add(adj_forms(name), pid, adjs)
            ens = {translit(name), en}
            add(
                [
                    f"{e} {w}"
                    for e in ens
                    for w in ("hromada", "community", "territorial community")
                ],
                pid,
            )
        elif cat == "B":
            pid = add_place(key, level, region, f"{name} район", f"{translit(name)} district", r[1])
            add(adj_forms(name), pid, adjs)
            add([f"{translit(name)} district"], pid)
        else:
            low = normalise_key(name)
            flags = "s" if low in STOP_NAMES or translit(low) in STOP_NAMES_EN else ""
            if cat != "M" and " " not in low and (_morph(low, True) or adjective_uk(low)):
                flags += "a"  # adjectival: "Харківського" before a noun is not the place
            pid = add_place(key, level, region, name, translit(name), r[1], flags)
            add(name_forms(name) | {normalise_key(translit(name))}, pid)
            if cat == "M":
                by_name.setdefault((low, region), pid)

    def city(name: str, region: str) -> int:
        return by_name[(normalise_key(name), region)]

    for uk, region, en_names, ru_names in CITY_ALIASES:
        pid = city(uk, region)
        add(en_names, pid)
        for r_name in ru_names:
            add(ru_forms(r_name), pid)
    for old, new, region, ru_old in RENAMED:
        pid = city(new, region)
        add(name_forms(old) | {translit(old)}, pid)
        for r_name in ru_old:
            add(ru_forms(r_name), pid)
    for new, region, en_names in RENAMED_EN:
        add(en_names, city(new, region))
    for uk, region, surfaces in IRREGULAR:
        add(surfaces, city(uk, region))
    add_old_raions(rows, add_place, add, adjs)
    foreign = add_place("foreign", "foreign", "", "", "")
    for f in FOREIGN:
        add(name_forms(f) | ru_forms(f), foreign)
    for f in ABROAD:
        add(name_forms(f), foreign)
    add(ABROAD_EN, foreign)
    add(FOREIGN_SURFACES, foreign)
    oblast = name_forms("область") | {"обл"}
    for adj in RUSSIAN_OBLASTS:
        add({f"{a} {o}" for a in adj_forms(adj) for o in oblast}, foreign)

    def pack(table: dict[str, set[int]]) -> dict[str, str]:
        return {k: ",".join(map(str, sorted(v))) for k, v in sorted(table.items())}

    return {"places": places, "forms": pack(forms), "adjs": pack(adjs)}


def main() -> None:
    csv_path = Path(sys.argv[1]) if len(sys.argv) > 1 else CSV_PATH
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT_PATH
    data = build(csv_path)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    out.write_bytes(gzip.compress(raw, 9, mtime=0))
    print(
        f"{out}: {len(data['places'])} places, {len(data['forms'])} forms, "
        f"{len(data['adjs'])} adjectives, {out.stat().st_size / 1e6:.2f} MB"
    )


if __name__ == "__main__":
    main()
