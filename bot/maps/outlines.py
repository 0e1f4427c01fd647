"""Region outlines prepared at build time (``scripts/build_outlines.py``), scaled for drawing.

The data file holds each region's rings as flat integer lists (tenths of a unit) in a frame
1,000 units wide, and an interior anchor per region (where marks sit). ``town_points.json``
(``scripts/build_town_points.py``) holds, in the same frame, where the codifier's cities and
towns sit. Scaling to a map box is cached per box, so a render only draws.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

Point = tuple[float, float]
# Drawing order: the cities last, above the oblasts around them.
CITIES: Final = ("UA-30", "UA-40")


@dataclass(frozen=True, slots=True)
class Outlines:
    width: float
    height: float
    regions: dict[str, tuple[tuple[Point, ...], ...]]
    anchors: dict[str, Point]
    towns: dict[str, Point]


@cache
def outlines() -> Outlines:
    """The shipped outlines, in frame units."""
    raw = json.loads(resources.files("bot.maps").joinpath("data/outlines.json").read_text())
    unit = float(raw["unit"])
    regions = {
        code: tuple(
            tuple((flat[i] * unit, flat[i + 1] * unit) for i in range(0, len(flat), 2))
            for flat in rings
        )
        for code, rings in raw["regions"].items()
    }
    anchors = {code: (float(x), float(y)) for code, (x, y) in raw["anchors"].items()}
    points = json.loads(resources.files("bot.maps").joinpath("data/town_points.json").read_text())
    towns = {key: (float(x), float(y)) for key, (x, y) in points["points"].items()}
    return Outlines(float(raw["width"]), float(raw["height"]), regions, anchors, towns)


@dataclass(frozen=True, slots=True)
class Placed:
    """Outlines fitted into a box of the image: pixel rings, anchors and town points."""

    rings: dict[str, tuple[tuple[Point, ...], ...]]
    anchors: dict[str, Point]
    order: tuple[str, ...]
    towns: dict[str, Point]


@cache
def placed(x0: float, y0: float, width: float) -> Placed:
    """The outlines scaled to ``width`` pixels with the top-left corner at ``(x0, y0)``."""
    o = outlines()
    k = width / o.width
    rings = {
        code: tuple(tuple((x0 + x * k, y0 + y * k) for x, y in ring) for ring in rs)
        for code, rs in o.regions.items()
    }
    anchors = {code: (x0 + x * k, y0 + y * k) for code, (x, y) in o.anchors.items()}
    order = tuple(sorted(rings, key=lambda c: (c in CITIES, c)))
    towns = {key: (x0 + x * k, y0 + y * k) for key, (x, y) in o.towns.items()}
    return Placed(rings, anchors, order, towns)


def height_for(width: float) -> float:
    o = outlines()
    return o.height * width / o.width
