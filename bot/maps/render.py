"""The map picture: Ukraine's regions coloured by alert state, threat marks, legend, time.

Pure Pillow over the outlines shipped in ``bot/maps/data`` and the shipped font subset, so a
render needs no system library and no network. Every word on the picture comes from the
catalogs (``maps_uk`` / ``maps_en``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Final
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

from bot.i18n import t
from bot.maps.outlines import CITIES, Point, height_for, placed
from bot.maps.state import PARTIAL, THREAT_KINDS, WHOLE, MapState

WIDTH: Final = 1000
MARGIN: Final = 20
HEADER: Final = 104
LEGEND: Final = 96
MAP_W: Final = WIDTH - 2 * MARGIN
MAP_H: Final = round(height_for(MAP_W))
HEIGHT: Final = HEADER + MAP_H + LEGEND

Colour = tuple[int, int, int]
BACKGROUND: Final[Colour] = (255, 255, 255)
CALM: Final[Colour] = (222, 230, 225)
ALERT: Final[Colour] = (214, 40, 57)
PARTIAL_ALERT: Final[Colour] = (244, 162, 97)
BORDER: Final[Colour] = (255, 255, 255)
MINE: Final[Colour] = (29, 53, 87)
TEXT: Final[Colour] = (33, 37, 41)
MUTED: Final[Colour] = (108, 117, 125)
STALE_BG: Final[Colour] = (255, 236, 153)
FILL: Final = {WHOLE: ALERT, PARTIAL: PARTIAL_ALERT}
MARK_COLOURS: Final[dict[str, Colour]] = {
    "drones": (106, 76, 147),
    "missiles": (17, 17, 17),
    "airstrike": (141, 85, 36),
    "hits": (230, 57, 70),
    "outage": (255, 183, 3),
}
MARK_SIZE: Final = 9  # half the side of a mark, pixels
# A followed town: a pin at the town with its name. Towns without a point in
# ``town_points.json`` (GeoNames lists places of 15,000 people and more) are stacked under their
# oblast's marks instead.
PIN_RADIUS: Final = 6
PIN_STEP: Final = 20
PINS_SHOWN: Final = 3  # per oblast, of the stacked ones; more are summed up as "+N"
Town = tuple[str, str, str]  # (region code, label in the viewer's language, codifier id)


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    """The shipped DejaVu Sans subset (Latin + Cyrillic) at ``size`` pixels."""
    data = resources.files("bot.maps").joinpath("data/DejaVuSans-subset.ttf").read_bytes()
    return ImageFont.truetype(io.BytesIO(data), size)


def map_box() -> tuple[int, int, int]:
    """Where the country sits in the picture: left, top, width (for tests and the page)."""
    return MARGIN, HEADER, MAP_W


def draw_mark(draw: ImageDraw.ImageDraw, kind: str, cx: float, cy: float, r: int) -> None:
    """One threat mark: drone ●, missile ▲, guided bomb ■, hit ✖-like diamond, outage ◆."""
    colour = MARK_COLOURS.get(kind, TEXT)
    outline = (255, 255, 255)
    if kind == "drones":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=outline, width=2)
    elif kind == "missiles":
        pts = [(cx, cy - r - 1), (cx + r + 1, cy + r), (cx - r - 1, cy + r)]
        draw.polygon(pts, fill=colour, outline=outline, width=2)
    elif kind == "airstrike":
        draw.rectangle((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=outline, width=2)
    else:
        pts = [(cx, cy - r - 2), (cx + r + 2, cy), (cx, cy + r + 2), (cx - r - 2, cy)]
        draw.polygon(pts, fill=colour, outline=outline, width=2)


def fmt_clock(lang: str, at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return t(
        lang,
        "fmt.day_time",
        day=local.day,
        month=t(lang, f"month.{local.month}"),
        time=local.strftime("%H:%M"),
    )


def _header(
    draw: ImageDraw.ImageDraw, state: MapState, lang: str, tz: ZoneInfo, title: str
) -> None:
    draw.text((MARGIN, 14), title, font=font(30), fill=TEXT)
    zone = state.as_of.astimezone(tz).tzname() or ""
    stamp = t(lang, "map.as_of", time=fmt_clock(lang, state.as_of, tz), zone=zone)
    draw.text((WIDTH - MARGIN, 24), stamp, font=font(20), fill=MUTED, anchor="ra")
    if state.stale:
        if state.stale_since is None:
            line = t(lang, "map.stale_never")
        else:
            line = t(lang, "map.stale_since", time=fmt_clock(lang, state.stale_since, tz))
        draw.rectangle((MARGIN, 58, WIDTH - MARGIN, 94), fill=STALE_BG)
        draw.text((MARGIN + 10, 76), "⚠ " + line, font=font(20), fill=TEXT, anchor="lm")
    else:
        active = len(state.alerts)
        line = t(lang, "map.count", n=active, total=27) if active else t(lang, "map.calm")
        draw.text((MARGIN, 64), line, font=font(20), fill=TEXT)


def _legend(draw: ImageDraw.ImageDraw, lang: str, kinds: Sequence[str], mine: bool) -> None:
    y = HEADER + MAP_H + 18
    x = MARGIN
    small = font(18)
    swatches: list[tuple[str, Colour | None]] = [
        ("map.legend.whole", ALERT),
        ("map.legend.partial", PARTIAL_ALERT),
        ("map.legend.calm", CALM),
    ]
    if mine:
        swatches.append(("map.legend.mine", None))
    for key, colour in swatches:
        if colour is None:
            draw.rectangle((x, y, x + 22, y + 22), fill=CALM, outline=MINE, width=4)
        else:
            draw.rectangle((x, y, x + 22, y + 22), fill=colour)
        label = t(lang, key)
        draw.text((x + 30, y + 11), label, font=small, fill=TEXT, anchor="lm")
        x += 30 + int(draw.textlength(label, font=small)) + 26
    x, y = MARGIN, y + 38
    for kind in kinds:
        draw_mark(draw, kind, x + 11, y + 11, MARK_SIZE)
        label = t(lang, f"map.legend.{kind}")
        draw.text((x + 30, y + 11), label, font=small, fill=TEXT, anchor="lm")
        x += 30 + int(draw.textlength(label, font=small)) + 26


def town_pin(region: str, index: int, x0: int, y0: int, width: int) -> tuple[float, float]:
    """Where the ``index``-th stacked town of ``region`` has its pin (a town with no point)."""
    cx, cy = placed(float(x0), float(y0), float(width)).anchors[region]
    return cx, cy + MARK_SIZE + 4 + PIN_RADIUS + index * PIN_STEP


def town_point(key: str, x0: int, y0: int, width: int) -> tuple[float, float] | None:
    """Where the town with codifier id ``key`` is on the map, if its position is known."""
    return placed(float(x0), float(y0), float(width)).towns.get(key)


def _pin(draw: ImageDraw.ImageDraw, x: float, y: float, label: str, right_edge: float) -> None:
    r = PIN_RADIUS
    draw.ellipse((x - r, y - r, x + r, y + r), fill=MINE, outline=BORDER, width=2)
    name = label if len(label) <= 18 else label[:17] + "…"
    small = font(15)
    right = x + r + 4 + draw.textlength(name, font=small) > right_edge
    at, anchor = ((x - r - 4, y), "rm") if right else ((x + r + 4, y), "lm")
    draw.text(at, name, font=small, fill=MINE, anchor=anchor, stroke_width=2, stroke_fill=BORDER)


def stacked_pins(
    region: str, count: int, taken: Sequence[Point], x0: int, y0: int, width: int
) -> list[Point]:
    """Where ``count`` towns of ``region`` without a point are stacked: the slots under the
    oblast's anchor, skipping those a pinned town (``taken``) and its name would cover."""
    out: list[Point] = []
    index = 0
    while len(out) < count:
        x, y = town_pin(region, index, x0, y0, width)
        if not any(abs(tx - x) < 90 and abs(ty - y) < PIN_STEP for tx, ty in taken):
            out.append((x, y))
        index += 1
    return out


def draw_towns(draw: ImageDraw.ImageDraw, towns: Sequence[Town], x0: int, y0: int, width: int) -> None:  # fmt: skip
    """A pin and a short name per followed town: at the town, or stacked under its oblast's
    anchor when its position is unknown."""
    geo = placed(float(x0), float(y0), float(width))
    stacked: dict[str, list[str]] = {}
    pinned: list[tuple[Point, str]] = []
    for region, label, key in towns:
        if (point := geo.towns.get(key)) is not None:
            pinned.append((point, label))
        elif region in geo.anchors:
            stacked.setdefault(region, []).append(label)
    for point, label in pinned:
        _pin(draw, *point, label, x0 + width)
    taken = [point for point, _ in pinned]
    for region, labels in sorted(stacked.items()):
        shown = labels[:PINS_SHOWN]
        if len(labels) > PINS_SHOWN:
            shown[-1] = f"{shown[-1]} +{len(labels) - PINS_SHOWN + 1}"
        slots = stacked_pins(region, len(shown), taken, x0, y0, width)
        for (x, y), label in zip(slots, shown, strict=True):
            _pin(draw, x, y, label, x0 + width)


def draw_country(
    img: Image.Image,
    state: MapState,
    mine: Sequence[str],
    x0: int,
    y0: int,
    width: int,
    towns: Sequence[Town] = (),
) -> None:
    """Regions filled by alert state, white borders, own regions outlined, marks on top, then
    the chat's towns."""
    draw = ImageDraw.Draw(img)
    geo = placed(float(x0), float(y0), float(width))
    for code in geo.order:
        scope = state.alert(code)
        fill = FILL[scope] if scope is not None else CALM
        # The two cities are a few pixels wide: a border would cover them.
        outline = None if code in CITIES else BORDER
        for ring in geo.rings[code]:
            draw.polygon(ring, fill=fill, outline=outline, width=1)
    for code in mine:
        for ring in geo.rings.get(code, ()):
            draw.line([*ring, ring[0]], fill=MINE, width=4, joint="curve")
    for code, kinds in state.marks:
        if code not in geo.anchors:
            continue
        cx, cy = geo.anchors[code]
        step = 2 * MARK_SIZE + 6
        left = cx - step * (len(kinds) - 1) / 2
        for i, kind in enumerate(kinds):
            draw_mark(draw, kind, left + i * step, cy, MARK_SIZE)
    if towns:
        draw_towns(draw, towns, x0, y0, width)


@cache
def _palette() -> Image.Image:
    """A fixed palette: the picture's colours and 7-step blends of each over the backgrounds
    (the anti-aliased text edges). Mapping to it is a table lookup, and the palette PNG is a
    third the size and several times faster to compress than RGB."""
    solid = [BACKGROUND, CALM, ALERT, PARTIAL_ALERT, MINE, TEXT, MUTED, STALE_BG]
    solid += [c for c in MARK_COLOURS.values() if c not in solid]
    colours = list(solid)
    for c in solid:
        for bg in (BACKGROUND, STALE_BG, CALM):
            for k in range(1, 8):
                a = k / 8
                blend = tuple(round(c[i] * a + bg[i] * (1 - a)) for i in range(3))
                # Pillow maps to a palette through a reduced-precision cache: a blend too
                # close to a solid colour would steal that colour's pixels.
                if all(sum(abs(blend[i] - s[i]) for i in range(3)) > 24 for s in solid):
                    colours.append(blend)  # type: ignore[arg-type]
    colours = colours[:256]
    flat = [v for c in colours for v in c] + [0] * (768 - 3 * len(colours))
    pal = Image.new("P", (1, 1))
    pal.putpalette(flat)
    return pal


def encode_png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.quantize(palette=_palette(), dither=Image.Dither.NONE).save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def render_map(
    state: MapState,
    lang: str,
    tz: ZoneInfo,
    mine: Sequence[str] = (),
    *,
    title: str | None = None,
    kinds: Sequence[str] = THREAT_KINDS,
    towns: Sequence[Town] = (),
) -> bytes:
    """The PNG of ``state`` for a chat: its language, time zone, own regions outlined and own
    towns pinned."""
    img = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(img)
    _header(draw, state, lang, tz, title or t(lang, "map.title"))
    draw_country(img, state, mine, MARGIN, HEADER, MAP_W, towns)
    _legend(draw, lang, kinds, bool(mine))
    return encode_png(img)
