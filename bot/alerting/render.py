"""Alert text: one short HTML message per (happening, language).

Everything that comes from posts (place names, channel names) is HTML-escaped here; the
templates in ``bot/i18n/alerts_*.py`` hold the only markup. Output is bounded (places and
sources are capped) so a message always fits Telegram's 4096 characters;
:func:`bot.html_split.split_html` is the safety net for anything longer.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.html_split import MAX_LEN as MAX_LEN
from bot.html_split import split_html as split_html  # re-exported for the dispatcher
from bot.html_split import u16len as u16len
from bot.i18n import catalog, t

KYIV: Final = ZoneInfo("Europe/Kyiv")
MAX_PLACES: Final = 8
MAX_SOURCES: Final = 5
MAX_NAME: Final = 60
EMOJI: Final[Mapping[str, str]] = {
    "air_alert_start": "🔴",
    "air_alert_end": "🟢",
    "drones": "🛩️",
    "missiles": "🚀",
    "airstrike": "✈️",
    "shelling": "💥",
    "explosions": "💥",
    "casualties": "🕯️",
    "damage": "🏚️",
    "power_outage": "🔌",
    "outage_schedule": "🗓️",
    "power_restored": "💡",
    "train_delay": "🚆",
}
COUNT_ORDER: Final = (
    "launched",
    "destroyed",
    "hit",
    "locations",
    "killed",
    "injured",
    "consumers",
    "trains",
    "delay_minutes",
)
# Thousands separators: "30 000" (no-break space) in Ukrainian, "30,000" in English.
_GROUP: Final = {"uk": "\u00a0", "en": ","}

LinkFn = Callable[[str, int], str]


def tme_link(channel: str, message_id: int) -> str:
    """The public link of a channel post."""
    return f"https://t.me/{channel}/{message_id}"


@dataclass(frozen=True, slots=True)
class AlertView:
    """What a message shows; built from a :class:`storage.models.Happening`."""

    kind: str  # an event kind: air_alert_end for the all-clear
    region: str
    at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)
    places: Sequence[Mapping[str, str]] = ()
    sources: Sequence[tuple[str, int]] = ()  # (channel, message_id), oldest first
    started_at: datetime | None = None  # all-clear: the episode's start, when known


def fmt_int(value: int, lang: str) -> str:
    """``30000`` → "30 000" (uk) / "30,000" (en)."""
    return f"{value:,}".replace(",", _GROUP.get(lang, ","))


def fmt_duration(delta: timedelta, lang: str) -> str:
    """Like "1 год 20 хв" / "1 h 20 min"; at least one minute."""
    return fmt_minutes(round(delta.total_seconds() / 60), lang)


def fmt_minutes(minutes: int, lang: str) -> str:
    """Minutes as hours and minutes, at least one minute."""
    h, m = divmod(max(1, minutes), 60)
    if h and m:
        return t(lang, "alert.duration.hm", h=fmt_int(h, lang), m=m)
    if h:
        return t(lang, "alert.duration.h", h=fmt_int(h, lang))
    return t(lang, "alert.duration.m", m=m)


def local_time(moment: datetime) -> str:
    """ "HH:MM" in Europe/Kyiv."""
    return moment.astimezone(KYIV).strftime("%H:%M")


def region_name(code: str, lang: str) -> str:
    """The region as people read it ("Чернігівщина"); unknown codes shown as they are."""
    name = catalog(lang).get(f"region.{code}")
    return html.escape(name if name is not None else code)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1] + "…"


def _counts_line(counts: Mapping[str, int], lang: str) -> str:
    parts = []
    for key in COUNT_ORDER:
        value = counts.get(key)
        if value is None or value < 0:
            continue
        shown = fmt_minutes(value, lang) if key == "delay_minutes" else fmt_int(value, lang)
        parts.append(t(lang, f"alert.count.{key}", value=shown))
    if not parts:
        return ""
    line = " · ".join(parts)
    return line[0].upper() + line[1:]


def _places_line(places: Sequence[Mapping[str, str]], lang: str) -> str:
    names: list[str] = []
    for place in places:
        name = place.get(lang) or place.get("uk") or place.get("en") or ""
        name = _clip(str(name))
        if name and name not in names:
            names.append(name)
    if not names:
        return ""
    shown = ", ".join(html.escape(n) for n in names[:MAX_PLACES])
    if len(names) > MAX_PLACES:
        shown += ", " + t(lang, "alert.places.more", n=len(names) - MAX_PLACES)
    return t(lang, "alert.places", places=shown)


def _source_links(sources: Sequence[tuple[str, int]], link: LinkFn) -> str:
    """One link per channel, to its latest post on the happening."""
    latest = {ch: mid for ch, mid in dict.fromkeys(sources)}
    recent = list(latest.items())[-MAX_SOURCES:]
    return ", ".join(
        f'<a href="{html.escape(link(ch, mid), quote=True)}">@{html.escape(_clip(ch))}</a>'
        for ch, mid in recent
    )


def render(view: AlertView, lang: str, *, link: LinkFn = tme_link) -> str:
    """The message for one chat language; never longer than :data:`MAX_LEN`."""
    head = t(
        lang,
        "alert.head",
        emoji=EMOJI.get(view.kind, "❗"),
        kind=html.escape(t(lang, f"alert.kind.{view.kind}")),
        region=region_name(view.region, lang),
    )
    lines = [head]
    if view.kind == "air_alert_end" and view.started_at is not None and view.started_at < view.at:
        lines.append(
            t(
                lang,
                "alert.duration",
                duration=fmt_duration(view.at - view.started_at, lang),
                start=local_time(view.started_at),
                end=local_time(view.at),
            )
        )
    for extra in (_counts_line(view.counts, lang), _places_line(view.places, lang)):
        if extra:
            lines.append(extra)
    tail = t(lang, "alert.time", time=local_time(view.at))
    if view.sources:
        tail += " · " + t(lang, "alert.sources", links=_source_links(view.sources, link))
    lines.append(tail)
    return "\n".join(lines)
