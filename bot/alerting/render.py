"""Alert text: one short HTML message per (incident, language).

Two registers: a *threat* (an alert, a drone group, missiles, guided bombs happening now) is one
urgent line per weapon with where it is and where it is heading; a *report* (what happened) has
a plain title and one line per kind with the figures the posts gave, and never threat wording.
An edited message says what the latest post changed.

Everything that comes from posts (place names, channel names) is HTML-escaped here; the
templates in ``bot/i18n/alerts_*.py`` hold the only markup. Output is bounded (places and
sources are capped) so a message always fits Telegram's 4096 characters;
:func:`bot.html_split.split_html` is the safety net for anything longer. Times are shown in the
configured zone (``tz``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.alerting.figures import cap as _cap
from bot.alerting.figures import counted as _n
from bot.alerting.figures import damage_text as damage_text
from bot.alerting.figures import fmt_duration as fmt_duration
from bot.alerting.figures import fmt_int as fmt_int
from bot.alerting.figures import fmt_minutes as fmt_minutes
from bot.alerting.figures import trains_text
from bot.html_split import MAX_LEN as MAX_LEN
from bot.html_split import split_html as split_html  # re-exported for the dispatcher
from bot.html_split import u16len as u16len
from bot.i18n import catalog, t

KYIV: Final = ZoneInfo("Europe/Kyiv")
MAX_PLACES: Final = 8
MAX_SOURCES: Final = 5
MAX_NAME: Final = 60
MAX_REGIONS: Final = 6
EMOJI: Final[Mapping[str, str]] = {
    "air_alert_start": "🔴",
    "air_alert_end": "🟢",
    "drones": "🛩️",
    "missiles": "🚀",
    "airstrike": "✈️",
    "shelling": "💥",
    "explosions": "💥",
    "casualties": "🩹",
    "damage": "🏚️",
    "power_outage": "🔌",
    "outage_schedule": "🗓️",
    "power_restored": "💡",
    "train_delay": "🚆",
    "summary": "📋",
}
KILLED_EMOJI: Final = "🕯️"  # only when someone was killed
YELLOW_EMOJI: Final = "🟡"
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
# The order a report names its kinds in: the attack first, then what it did.
REPORT_ORDER: Final = (
    "shelling",
    "explosions",
    "airstrike",
    "drones",
    "missiles",
    "casualties",
    "damage",
    "power_outage",
    "power_restored",
    "outage_schedule",
    "train_delay",
)
WEAPONS: Final = ("drones", "missiles", "airstrike")
THREAT_TITLED: Final = frozenset({"drones", "missiles", "airstrike", "shelling", "explosions"})

LinkFn = Callable[[str, int], str]
Change = tuple[str, str, int | None, int]  # (kind, figure, before or None, after)


def tme_link(channel: str, message_id: int) -> str:
    """The public link of a channel post."""
    return f"https://t.me/{channel}/{message_id}"


@dataclass(frozen=True, slots=True)
class AlertView:
    """What a message shows; built from a :class:`storage.models.Happening`.

    ``kind`` is an alert end (``air_alert_start``/``air_alert_end``) or the incident's first
    kind with its figures in ``counts``; ``more`` holds the incident's other kinds and theirs.
    ``live`` makes it a threat. ``regions`` defaults to ``(region,)``.
    """

    kind: str
    region: str
    at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)
    places: Sequence[Mapping[str, str]] = ()
    sources: Sequence[tuple[str, int]] = ()  # (channel, message_id), oldest first
    started_at: datetime | None = None  # all-clear: the episode's start, when known
    live: bool = False
    regions: Sequence[str] = ()
    heading: Sequence[str] = ()
    more: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    updated_at: datetime | None = None
    changes: Sequence[Change] = ()
    added_places: Sequence[str] = ()
    level: str | None = None  # alerts: "yellow" for a lower-level alert
    threats: Sequence[str] = ()  # alerts: weapon types named by the alert source
    other_area: bool = False  # a town-subscribed chat: not its raion (shown marked)
    train_numbers: Sequence[str] = ()  # the trains a delay names ("743", "92/91")
    added_trains: Sequence[str] = ()  # an edit: trains the latest post added

    def parts(self) -> list[tuple[str, Mapping[str, int]]]:
        """(kind, figures) of every kind the message covers, its first kind first."""
        return [(self.kind, self.counts), *((k, c) for k, c in self.more.items() if k != self.kind)]


def local_time(moment: datetime, tz: ZoneInfo = KYIV) -> str:
    """ "HH:MM" in ``tz`` (the configured zone; Europe/Kyiv by default)."""
    return moment.astimezone(tz).strftime("%H:%M")


def region_name(code: str, lang: str, case: str = "") -> str:
    """The region as people read it ("Чернігівщина"; ``case="acc"``: "Чернігівщину")."""
    names = catalog(lang)
    name = names.get(f"region.{code}.{case}" if case else f"region.{code}")
    if name is None:
        name = names.get(f"region.{code}")
    return html.escape(name if name is not None else code)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1] + "…"


def _num(key: str, value: int, lang: str) -> str:
    return fmt_minutes(value, lang) if key == "delay_minutes" else fmt_int(value, lang)


def _counts_line(counts: Mapping[str, int], lang: str) -> str:
    """Figures of one kind as a plain list (used for kinds without a phrase of their own)."""
    parts = []
    for key in COUNT_ORDER:
        value = counts.get(key)
        if value is None or value < 0:
            continue
        parts.append(t(lang, f"alert.count.{key}", value=_num(key, value, lang)))
    return _cap(" · ".join(parts))


def _regions_text(codes: Sequence[str], lang: str, case: str = "") -> str:
    names = [region_name(c, lang, case) for c in dict.fromkeys(codes)]
    shown = ", ".join(names[:MAX_REGIONS])
    if len(names) > MAX_REGIONS:
        shown += ", " + t(lang, "alert.places.more", n=len(names) - MAX_REGIONS)
    return shown


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
    """One link per channel, to its latest post on the happening, in the channel's latest
    spelling (usernames are case-insensitive: "chernigivskaoda" and "chernigivskaODA" are one)."""
    latest: dict[str, tuple[str, int]] = {}
    for ch, mid in dict.fromkeys(sources):
        latest.pop(ch.lower(), None)  # re-inserted: the order is of each channel's latest post
        latest[ch.lower()] = (ch, mid)
    recent = list(latest.values())[-MAX_SOURCES:]
    return ", ".join(
        f'<a href="{html.escape(link(ch, mid), quote=True)}">@{html.escape(_clip(ch))}</a>'
        for ch, mid in recent
    )


# ---- one line per kind -------------------------------------------------------------------


def _weapon_figures(counts: Mapping[str, int], lang: str) -> str:
    parts = []
    if counts.get("launched", -1) >= 0:
        parts.append(t(lang, "alert.launched", value=fmt_int(counts["launched"], lang)))
    if counts.get("destroyed", -1) >= 0:
        parts.append(t(lang, "alert.destroyed", value=fmt_int(counts["destroyed"], lang)))
    return " · ".join(parts)


def _casualties(counts: Mapping[str, int], lang: str) -> tuple[str, str]:
    """(emoji, text): 🕯️ only when someone was killed."""
    parts = []
    killed, injured = counts.get("killed", 0), counts.get("injured", 0)
    if killed > 0:
        parts.append(_n(lang, "killed", killed))
    if injured > 0:
        parts.append(_n(lang, "injured", injured))
    text = " · ".join(parts) if parts else t(lang, "alert.casualties.some")
    return (KILLED_EMOJI if killed > 0 else EMOJI["casualties"]), _cap(text)


def kind_line(kind: str, counts: Mapping[str, int], lang: str, numbers: Sequence[str] = ()) -> str:
    """A report's line for one kind: its emoji and what the posts say, in words (``numbers``:
    the trains a delay names)."""
    emoji = EMOJI.get(kind, "❗")
    if kind in WEAPONS:
        figures = _weapon_figures(counts, lang)
        if figures:
            weapon = t(lang, f"alert.weapon.{kind}")
            return t(lang, "alert.weapon_line", emoji=emoji, weapon=weapon, figures=figures)
    elif kind == "casualties":
        emoji, text = _casualties(counts, lang)
        return f"{emoji} {text}"
    elif kind == "damage" and (damage := damage_text(counts, lang)):
        return f"{emoji} {_cap(damage)}"
    elif kind == "power_outage" and counts.get("consumers", 0) > 0:
        return f"{emoji} {_cap(_n(lang, 'consumers', counts['consumers']))}"
    elif kind == "power_restored" and counts.get("consumers", 0) > 0:
        return f"{emoji} {_cap(_n(lang, 'restored', counts['consumers']))}"
    elif kind == "train_delay" and (trains := trains_text(counts, numbers, lang)):
        return f"{emoji} {trains}"
    rest = {k: v for k, v in counts.items() if k not in ("locations", "hit")}
    extra = _counts_line(rest, lang)
    title = html.escape(t(lang, f"alert.kind.{kind}"))
    return f"{emoji} {title}" + (f": {extra[:1].lower() + extra[1:]}" if extra else "")


def _hits_line(parts: Sequence[tuple[str, Mapping[str, int]]], lang: str) -> str:
    locations = max((c.get("locations", 0) for _, c in parts), default=0)
    hits = max((c.get("hit", 0) for _, c in parts), default=0)
    if locations > 0:
        return "📍 " + _cap(_n(lang, "locations", locations))
    if hits > 0:
        return "📍 " + _cap(_n(lang, "hit", hits))
    return ""


def _change_line(view: AlertView, lang: str, tz: ZoneInfo) -> str:
    if view.updated_at is None or not (view.changes or view.added_places or view.added_trains):
        return ""
    what: list[str] = []
    for _, key, old, new in view.changes[:6]:
        label = t(lang, f"alert.count.{key}", value="").strip()
        if old is None:
            what.append(t(lang, "alert.changed.new", label=label, new=_num(key, new, lang)))
        else:
            what.append(
                t(
                    lang,
                    "alert.changed.figure",
                    label=label,
                    old=_num(key, old, lang),
                    new=_num(key, new, lang),
                )
            )
    for place in view.added_places[:4]:
        what.append(t(lang, "alert.changed.place", place=html.escape(_clip(place))))
    for number in view.added_trains[:4]:
        what.append(t(lang, "alert.changed.train", number=html.escape(_clip(number))))
    return t(lang, "alert.changed", time=local_time(view.updated_at, tz), what="; ".join(what))


# ---- whole messages ----------------------------------------------------------------------


def _alert_lines(view: AlertView, lang: str, tz: ZoneInfo) -> list[str]:
    yellow = view.level == "yellow" and view.kind == "air_alert_start"
    head = t(
        lang,
        "alert.head",
        emoji=YELLOW_EMOJI if yellow else EMOJI[view.kind],
        kind=html.escape(t(lang, "alert.yellow" if yellow else f"alert.kind.{view.kind}")),
        region=_regions_text(view.regions or (view.region,), lang),
    )
    lines = [head]
    if view.kind == "air_alert_end" and view.started_at is not None and view.started_at < view.at:
        lines.append(
            t(
                lang,
                "alert.duration",
                duration=fmt_duration(view.at - view.started_at, lang),
                start=local_time(view.started_at, tz),
                end=local_time(view.at, tz),
            )
        )
    if view.threats and view.kind == "air_alert_start":
        names = [t(lang, f"alert.threat_type.{w}") for w in view.threats]
        lines.append(t(lang, "alert.threats", threats=html.escape(", ".join(names))))
    return lines


def _threat_lines(view: AlertView, lang: str) -> list[str]:
    regions = list(view.regions or (view.region,))
    heading = list(dict.fromkeys(view.heading))
    where = _regions_text([r for r in regions if r not in heading], lang)
    toward = (
        t(lang, "alert.heading", regions=_regions_text(heading, lang, "acc")) if heading else ""
    )
    lines = []
    for kind, _ in view.parts():
        title = t(lang, f"alert.threat.{kind}" if kind in THREAT_TITLED else f"alert.kind.{kind}")
        emoji, name = EMOJI.get(kind, "❗"), html.escape(title)
        if where:
            line = t(lang, "alert.threat_head", emoji=emoji, kind=name, where=where)
            lines.append(f"{line} {toward}" if toward else line)
        else:  # only where it is heading is known: "🛩️ Ударні БпЛА → курсом на Київщину"
            lines.append(t(lang, "alert.threat_toward", emoji=emoji, kind=name, toward=toward))
    return lines


def _report_lines(view: AlertView, lang: str) -> list[str]:
    parts = view.parts()
    kinds = [k for k, _ in parts]
    regions = list(view.regions or (view.region,))
    # The nationwide tally of an attack (the Air Force's morning summary): one report.
    summary = regions == ["UA"] and any(k in WEAPONS for k in kinds)
    first = "summary" if summary else kinds[0]
    emoji = EMOJI.get(first, "❗")
    if first == "casualties" and parts[0][1].get("killed", 0) > 0:
        emoji = KILLED_EMOJI
    head = t(
        lang,
        "alert.head",
        emoji=emoji,
        kind=html.escape(t(lang, f"alert.kind.{first}")),
        region=_regions_text(regions, lang),
    )
    lines = [head]
    for kind, counts in parts:
        if summary and kind not in WEAPONS and not counts:
            continue  # "hits at N locations" says it already
        line = kind_line(kind, counts, lang, view.train_numbers if kind == "train_delay" else ())
        bare = f"{EMOJI.get(kind, '❗')} {html.escape(t(lang, f'alert.kind.{kind}'))}"
        if kind != first or line != bare:  # the title alone is said by the head already
            lines.append(line)
    hits = _hits_line(parts, lang)
    if hits:
        lines.append(hits)
    return lines


def render(view: AlertView, lang: str, *, link: LinkFn = tme_link, tz: ZoneInfo = KYIV) -> str:
    """The message for one chat language; never longer than :data:`MAX_LEN`."""
    if view.kind in ("air_alert_start", "air_alert_end"):
        lines = _alert_lines(view, lang, tz)
    elif view.live:
        lines = _threat_lines(view, lang)
    else:
        lines = _report_lines(view, lang)
    for extra in (_places_line(view.places, lang), _change_line(view, lang, tz)):
        if extra:
            lines.append(extra)
    if view.other_area:
        lines.append(t(lang, "alert.other_area"))
    tail = t(lang, "alert.time", time=local_time(view.at, tz))
    if view.sources:
        tail += " · " + t(lang, "alert.sources", links=_source_links(view.sources, link))
    lines.append(tail)
    return "\n".join(lines)
