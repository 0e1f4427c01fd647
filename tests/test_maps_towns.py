"""Town pins at the towns' own positions: the shipped points against the outlines the map draws,
and the pins a render puts at them (decoded from the PNG)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.maps.outlines import Point, placed
from bot.maps.render import CALM, MINE, map_box, render_map, stacked_pins, town_point
from bot.maps.state import MapState

NIZHYN = "UA74040250010023991"
CHERNIHIV = "UA74100390010054825"
ICHNIA = "UA74080030010061043"  # a town GeoNames does not list


def inside(point: Point, ring: tuple[Point, ...]) -> bool:
    x, y = point
    hit = False
    for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            hit = not hit
    return hit


def in_region(point: Point, region: str) -> bool:
    return any(inside(point, ring) for ring in placed(*map(float, map_box())).rings[region])


def capitals() -> dict[str, str]:
    raw = resources.files("bot.maps").joinpath("data/town_points.json").read_text()
    out: dict[str, str] = json.loads(raw)["capitals"]
    return out


def test_every_oblast_centre_lies_in_its_own_oblast() -> None:
    centres = capitals()
    assert len(centres) == 24  # the oblasts and Crimea, without Kyiv oblast (its centre is Kyiv)
    for region, key in centres.items():
        point = town_point(key, *map_box())
        assert point is not None and in_region(point, region), region


def test_nizhyn_lies_in_chernihiv_oblast_away_from_chernihiv() -> None:
    nizhyn, chernihiv = town_point(NIZHYN, *map_box()), town_point(CHERNIHIV, *map_box())
    assert nizhyn is not None and chernihiv is not None
    assert in_region(nizhyn, "UA-74")
    # Nizhyn is ~60 km south-east of Chernihiv, nearer Kyiv than the border.
    assert nizhyn[1] > chernihiv[1] + 20 and nizhyn[0] > chernihiv[0] + 10


@pytest.fixture(scope="module")
def picture() -> Image.Image:
    state = MapState(as_of=datetime(2026, 5, 1, 9, 0, tzinfo=UTC), alerts=(), marks=())
    towns = [("UA-74", "Ніжин", NIZHYN), ("UA-74", "Ічня", ICHNIA)]
    png = render_map(state, "uk", ZoneInfo("Europe/Kyiv"), towns=towns)
    return Image.open(io.BytesIO(png)).convert("RGB")


def at(img: Image.Image, point: Point) -> object:
    return img.getpixel((round(point[0]), round(point[1])))


def test_a_town_pin_is_drawn_at_the_town(picture: Image.Image) -> None:
    nizhyn = town_point(NIZHYN, *map_box())
    chernihiv = town_point(CHERNIHIV, *map_box())
    assert nizhyn is not None and chernihiv is not None
    assert at(picture, nizhyn) == MINE
    assert at(picture, chernihiv) == CALM  # not a followed town: no pin


def test_a_town_without_a_point_falls_back_to_its_oblast(picture: Image.Image) -> None:
    assert town_point(ICHNIA, *map_box()) is None
    nizhyn = town_point(NIZHYN, *map_box())
    assert nizhyn is not None
    [slot] = stacked_pins("UA-74", 1, [nizhyn], *map_box())
    assert at(picture, slot) == MINE
    anchor = placed(*map(float, map_box())).anchors["UA-74"]
    assert abs(slot[0] - anchor[0]) < 1 and slot[1] > anchor[1]  # under the oblast's anchor
    assert abs(slot[1] - nizhyn[1]) >= 20  # clear of Nizhyn's pin beside that anchor
