"""/history: a region's air-raid alerts over the last 7 days, as a timeline picture and a text.

Alert spans are rebuilt from the stored starts and all-clears the same way the live map tells
a whole-oblast alert from a raion one: a span opens when the first part of the region goes
under alert and closes when the last part is cleared; one still open runs to "now".
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlmodel import Session

from bot.i18n import t
from bot.latest import event_line
from bot.maps.plural import counted, duration
from bot.maps.render import ALERT, BACKGROUND, CALM, MUTED, TEXT, encode_png, font
from bot.maps.state import units_of
from storage import crud

DAYS: Final = 7
MAX_ALERT_EVENTS: Final = 1000
NIGHT_START: Final = time(22, 0)
NIGHT_END: Final = time(7, 0)
NIGHT_KINDS: Final = (
    "drones",
    "missiles",
    "airstrike",
    "shelling",
    "explosions",
    "casualties",
    "damage",
    "power_outage",
)


@dataclass(frozen=True, slots=True)
class Span:
    start: datetime
    end: datetime
    ongoing: bool = False

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def spans_from(rows: Sequence[crud.EventRow], region: str, until: datetime) -> list[Span]:
    """Alert spans of ``region`` from its start/all-clear events (any order)."""
    active: set[str] = set()
    opened: datetime | None = None
    out: list[Span] = []
    for row in sorted(rows, key=lambda r: (r.occurred_at, r.id)):
        if row.occurred_at > until:
            break
        units = units_of(row, region)
        if row.kind == "air_alert_start":
            active |= units
            if opened is None:
                opened = row.occurred_at
        else:
            if "*" in units:
                active.clear()
            else:
                active -= units
            if not active and opened is not None:
                out.append(Span(opened, row.occurred_at))
                opened = None
    if opened is not None:
        out.append(Span(opened, until, ongoing=True))
    return out


def alert_spans(
    session: Session, regions: Sequence[str], since: datetime, until: datetime
) -> dict[str, list[Span]]:
    """Each region's alert spans overlapping ``[since, until]``, clipped to it. One query; a day
    more is read so an alert that began before ``since`` is known."""
    wanted = [
        (r, k, MAX_ALERT_EVENTS) for r in regions for k in ("air_alert_start", "air_alert_end")
    ]
    rows = crud.newest_events(session, wanted, since - timedelta(days=1))
    out: dict[str, list[Span]] = {}
    for region in regions:
        mine = [r for r in rows if r.region == region]
        clipped = [
            Span(max(s.start, since), min(s.end, until), s.ongoing)
            for s in spans_from(mine, region, until)
            if s.end > since
        ]
        out[region] = clipped
    return out


def last_night(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The latest night that has begun: 22:00–07:00 local, cut at ``now``."""
    local = now.astimezone(tz)
    day = local.date() if local.time() >= NIGHT_START else local.date() - timedelta(days=1)
    start = datetime.combine(day, NIGHT_START, tz)
    end = datetime.combine(day + timedelta(days=1), NIGHT_END, tz)
    return start, min(end, now)


@dataclass(frozen=True, slots=True)
class History:
    region: str
    spans: list[Span]
    night_events: list[crud.EventRow]
    now: datetime


def load_history(session: Session, region: str, now: datetime, tz: ZoneInfo) -> History:
    since = now - timedelta(days=DAYS)
    spans = alert_spans(session, [region], since, now)[region]
    start, end = last_night(now, tz)
    rows = crud.newest_events(session, [(region, k, 5) for k in NIGHT_KINDS], start)
    night = [r for r in rows if r.occurred_at <= end]
    return History(region, spans, night, now)


def history_text(h: History, lang: str, tz: ZoneInfo) -> str:
    """Count, total and longest duration (plural forms per language), and the night's events."""
    name = html.escape(t(lang, f"region.{h.region}"))
    lines = [t(lang, "history.title", region=name, days=DAYS)]
    if not h.spans:
        lines.append(t(lang, "history.none"))
    else:
        total = sum(s.minutes for s in h.spans)
        longest = max(h.spans, key=lambda s: s.minutes)
        lines.append(
            t(
                lang,
                "history.summary",
                alerts=counted(lang, "plural.alerts", len(h.spans)),
                total=duration(lang, total),
                longest=duration(lang, longest.minutes),
            )
        )
        if h.spans[-1].ongoing:
            lines.append(t(lang, "history.ongoing"))
    start, end = last_night(h.now, tz)
    morning = (start + timedelta(days=1)).astimezone(tz)
    lines.append("")
    lines.append(t(lang, "history.night", date=f"{morning.day:02d}.{morning.month:02d}"))
    night_spans = [s for s in h.spans if s.end > start and s.start < end]
    if night_spans:
        mins = sum(
            int((min(s.end, end) - max(s.start, start)).total_seconds() // 60) for s in night_spans
        )
        lines.append(
            t(
                lang,
                "history.night_alerts",
                alerts=counted(lang, "plural.alerts", len(night_spans)),
                total=duration(lang, mins),
            )
        )
    if h.night_events:
        lines.extend(event_line(lang, r, h.now, tz) for r in h.night_events)
    elif not night_spans:
        lines.append(t(lang, "history.night_quiet"))
    return "\n".join(lines)


# ---- the timeline picture -------------------------------------------------------------------

WIDTH: Final = 1000
LEFT: Final = 150
RIGHT: Final = 30
TOP: Final = 96
ROW: Final = 54
BAR: Final = 30
HEIGHT: Final = TOP + DAYS * ROW + 44


def _days(now: datetime, tz: ZoneInfo) -> list[date]:
    today = now.astimezone(tz).date()
    return [today - timedelta(days=i) for i in range(DAYS - 1, -1, -1)]


def render_history(h: History, lang: str, tz: ZoneInfo) -> bytes:
    """One row per local day (oldest first), 00–24 h, alert spans in red, now marked."""
    img = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(img)
    name = t(lang, f"region.{h.region}")
    draw.text((20, 14), t(lang, "history.image_title", region=name), font=font(28), fill=TEXT)
    total = sum(s.minutes for s in h.spans)
    sub = t(
        lang,
        "history.image_sub",
        alerts=counted(lang, "plural.alerts", len(h.spans)),
        total=duration(lang, total),
    )
    draw.text((20, 54), sub, font=font(18), fill=MUTED)
    span_w = WIDTH - LEFT - RIGHT
    axis_y = TOP + DAYS * ROW - 8
    for hour in range(0, 25, 3):
        x = LEFT + span_w * hour / 24
        draw.line((x, TOP - 6, x, axis_y - 14), fill=MUTED, width=1)
        draw.text((x, axis_y), f"{hour:02d}", font=font(16), fill=MUTED, anchor="ma")
    for i, day in enumerate(_days(h.now, tz)):
        y = TOP + i * ROW
        day_start = datetime.combine(day, time(0), tz)
        day_end = day_start + timedelta(days=1)
        label = t(lang, f"weekday.{day.weekday()}") + f" {day.day:02d}.{day.month:02d}"
        draw.text((20, y + BAR // 2), label, font=font(18), fill=TEXT, anchor="lm")
        draw.rectangle((LEFT, y, LEFT + span_w, y + BAR), fill=CALM)
        for s in h.spans:
            a, b = max(s.start, day_start), min(s.end, day_end)
            if b <= a:
                continue
            x0 = LEFT + span_w * (a - day_start).total_seconds() / 86400
            x1 = LEFT + span_w * (b - day_start).total_seconds() / 86400
            draw.rectangle((x0, y, max(x1, x0 + 2), y + BAR), fill=ALERT)
        if day_start <= h.now < day_end:
            x = LEFT + span_w * (h.now - day_start).total_seconds() / 86400
            draw.line((x, y - 4, x, y + BAR + 4), fill=TEXT, width=2)
    return encode_png(img)
