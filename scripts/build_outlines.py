"""Build the region outlines (and the map font) that ``bot.maps`` renders from.

Source: the simplified first-level boundaries that the ``pygal-maps-ua`` package ships as SVG
paths (geoBoundaries UKR-ADM1, LGPL), one ``<g class="ua_<name>">`` per region. The paths are
parsed, Douglas-Peucker simplified, scaled to a 1000-unit-wide frame and written with integer
coordinates (tenths of a unit) to ``bot/maps/data/outlines.json``, keyed by ISO 3166-2 code, so
rendering needs neither the package nor an SVG library at run time.

The font is DejaVu Sans (free licence), subset to Latin, Cyrillic and the few symbols the map
uses, so the image has its Ukrainian letters without relying on system fonts.

Usage: ``pip install '.[build]' && python scripts/build_outlines.py [--svg FILE] [--font FILE]``
"""

from __future__ import annotations

import argparse
import json
import math
import re
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "bot" / "maps" / "data"
FRAME_W = 1000.0
TOLERANCE = 0.35  # in frame units: below a pixel of the rendered map
DEFAULT_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

NAME_TO_CODE = {
    "vinnytsia": "UA-05",
    "volyn": "UA-07",
    "luhansk": "UA-09",
    "dnipropetrovsk": "UA-12",
    "donetsk": "UA-14",
    "zhytomir": "UA-18",
    "zakarpattia": "UA-21",
    "zaporizhzhia": "UA-23",
    "ivano-frankivsk": "UA-26",
    "kyivcity": "UA-30",
    "kyiv": "UA-32",
    "kirovohrad": "UA-35",
    "sevastopolcity": "UA-40",
    "crimea": "UA-43",
    "lviv": "UA-46",
    "mykolaiv": "UA-48",
    "odesa": "UA-51",
    "poltava": "UA-53",
    "rivne": "UA-56",
    "sumy": "UA-59",
    "ternopil": "UA-61",
    "kharkiv": "UA-63",
    "kherson": "UA-65",
    "khmelnitskyi": "UA-68",
    "cherkasy": "UA-71",
    "chernihiv": "UA-74",
    "chernivtsi": "UA-77",
}

_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtZz]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")
_ARGS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "z": 0}

Point = tuple[float, float]


def parse_path(d: str) -> list[list[Point]]:
    """Rings of an SVG path; curves are reduced to their end points (the data is polygonal)."""
    rings: list[list[Point]] = []
    ring: list[Point] = []
    x = y = 0.0
    start = (0.0, 0.0)
    cmd = ""
    nums: list[float] = []

    def flush() -> None:
        nonlocal x, y, start, ring, cmd
        lower = cmd.lower()
        rel = cmd.islower()
        n = _ARGS[lower]
        i = 0
        first = True
        while n and i + n <= len(nums):
            a = nums[i : i + n]
            i += n
            if lower in "mlt":
                nx, ny = (x + a[0], y + a[1]) if rel else (a[0], a[1])
            elif lower == "h":
                nx, ny = (x + a[0] if rel else a[0]), y
            elif lower == "v":
                nx, ny = x, (y + a[0] if rel else a[0])
            else:  # c, s, q: end point only
                nx, ny = (x + a[-2], y + a[-1]) if rel else (a[-2], a[-1])
            if lower == "m" and first:
                if len(ring) > 2:
                    rings.append(ring)
                ring = [(nx, ny)]
                start = (nx, ny)
            else:
                ring.append((nx, ny))
            x, y = nx, ny
            first = False
        if lower == "z":
            if len(ring) > 2:
                rings.append(ring)
            ring = []
            x, y = start

    for tok in _TOKEN.findall(d):
        if tok.isalpha():
            if cmd:
                flush()
            cmd, nums = tok, []
        else:
            nums.append(float(tok))
    if cmd:
        flush()
    if len(ring) > 2:
        rings.append(ring)
    return rings


def simplify(points: list[Point], tol: float) -> list[Point]:
    """Douglas-Peucker, iterative."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        best, best_i = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            if norm == 0:
                dist = math.hypot(px - ax, py - ay)
            else:
                dist = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if dist > best:
                best, best_i = dist, i
        if best > tol and best_i > 0:
            keep[best_i] = True
            stack.append((a, best_i))
            stack.append((best_i, b))
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(ring: list[Point]) -> float:
    return abs(
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def inside(x: float, y: float, ring: list[Point]) -> bool:
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def edge_distance(x: float, y: float, ring: list[Point]) -> float:
    best = math.inf
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        dx, dy = x1 - x0, y1 - y0
        seg = dx * dx + dy * dy
        k = 0.0 if seg == 0 else max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / seg))
        best = min(best, math.hypot(x - x0 - k * dx, y - y0 - k * dy))
    return best


def anchor(ring: list[Point]) -> Point:
    """The interior point farthest from the border (grid search): where a mark sits, and a
    point the tests can read a region's colour at."""
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    best, best_d = (sum(xs) / len(xs), sum(ys) / len(ys)), -1.0
    steps = 40
    for i in range(steps + 1):
        for j in range(steps + 1):
            x = min(xs) + (max(xs) - min(xs)) * i / steps
            y = min(ys) + (max(ys) - min(ys)) * j / steps
            if inside(x, y, ring):
                d = edge_distance(x, y, ring)
                if d > best_d:
                    best, best_d = (x, y), d
    return best


def read_regions(svg: Path) -> dict[str, list[list[Point]]]:
    ns = "{http://www.w3.org/2000/svg}"
    root = ET.parse(svg).getroot()
    out: dict[str, list[list[Point]]] = {}
    for g in root.iter(f"{ns}g"):
        classes = (g.get("class") or "").split()
        names = [c[3:] for c in classes if c.startswith("ua_")]
        if not names:
            continue
        code = NAME_TO_CODE[names[0]]
        for path in g.iter(f"{ns}path"):
            out.setdefault(code, []).extend(parse_path(path.get("d") or ""))
    missing = set(NAME_TO_CODE.values()) - set(out)
    if missing:
        raise SystemExit(f"regions missing from {svg}: {sorted(missing)}")
    return out


def build(svg: Path) -> dict[str, object]:
    raw = read_regions(svg)
    xs = [x for rings in raw.values() for r in rings for x, _ in r]
    ys = [y for rings in raw.values() for r in rings for _, y in r]
    x0, y0 = min(xs), min(ys)
    scale = FRAME_W / (max(xs) - x0)
    height = (max(ys) - y0) * scale
    regions: dict[str, list[list[int]]] = {}
    anchors: dict[str, list[float]] = {}
    for code in sorted(raw):
        rings = [[((x - x0) * scale, (y - y0) * scale) for x, y in r] for r in raw[code]]
        biggest = max(area(r) for r in rings)
        # Islets below 0.2 % of the region's main ring are invisible at map sizes; the tiny
        # cities (Kyiv, Sevastopol) keep everything since their whole ring is small.
        kept = []
        for ring in rings:
            if area(ring) < biggest * 0.002:
                continue
            tol = TOLERANCE if code not in ("UA-30", "UA-40") else TOLERANCE / 4
            simple = simplify([*ring, ring[0]], tol)[:-1]
            if len(simple) >= 3:
                kept.append([round(v * 10) for p in simple for v in p])
        regions[code] = kept
        main = max(rings, key=area)
        anchors[code] = [round(v, 1) for v in anchor(main)]
    return {
        "source": "pygal-maps-ua UKR-ADM1_simplified.Svg (geoBoundaries ADM1), LGPL-3.0-or-later (as declared by the package)",
        "unit": 0.1,
        "width": FRAME_W,
        "height": round(height, 1),
        "regions": regions,
        "anchors": anchors,
    }


def subset_font(src: Path, out: Path) -> None:
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["kern", "liga"]
    font = subset.load_font(str(src), options)
    sub = subset.Subsetter(options)
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180)) | set(range(0x400, 0x530))
    chars |= {0x2013, 0x2014, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x2116, 0x2191, 0x2192}
    chars |= {0x25B2, 0x25CF, 0x25C6, 0x26A0, 0x2715}
    sub.populate(unicodes=chars)
    sub.subset(font)
    subset.save_font(font, str(out), options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, help="the ADM1 SVG (default: pygal-maps-ua's)")
    parser.add_argument("--font", type=Path, default=DEFAULT_FONT, help="a TTF with Cyrillic")
    args = parser.parse_args()
    svg = args.svg or Path(str(resources.files("pygal_maps_ua") / "UKR-ADM1_simplified.Svg"))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    data = build(svg)
    (OUT_DIR / "outlines.json").write_text(json.dumps(data, separators=(",", ":")) + "\n")
    points = sum(len(r) // 2 for rings in data["regions"].values() for r in rings)  # type: ignore[attr-defined]
    print(f"outlines: 27 regions, {points} points -> {OUT_DIR / 'outlines.json'}")
    if args.font.exists():
        subset_font(args.font, OUT_DIR / "DejaVuSans-subset.ttf")
        print(f"font: {args.font.name} subset -> {OUT_DIR / 'DejaVuSans-subset.ttf'}")
    else:
        print(f"font: {args.font} not found; keeping the shipped subset")


if __name__ == "__main__":
    main()
