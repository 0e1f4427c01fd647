"""The /latest summary of a region, the air-raid state of regions and the honesty about silence.

Rendering over :mod:`storage.crud.summaries` rows, which :func:`latest_summary` reads in the
caller's session (the rest is pure): every string comes from the ``ui_*`` catalogs, every value
is HTML-escaped, numbers and times are formatted for the chat's language in the configured time
zone (Europe/Kyiv by default).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.alerting.render import COUNT_ORDER, damage_text, fmt_int, region_name
from bot.i18n import t
from storage import crud

WINDOW: Final = timedelta(hours=12)
# How many of the newest events of each kind /latest shows (alerts are shown as a state).
KIND_LIMITS: Final = {
    "drones": 3,
    "missiles": 3,
    "airstrike": 2,
    "shelling": 3,
    "explosions": 3,
    "casualties": 3,
    "damage": 2,
    "power_outage": 2,
    "outage_schedule": 1,
    "power_restored": 1,
    "train_delay": 3,
}
NATIONWIDE_KINDS: Final = ("drones", "missiles")
THREAT_KINDS: Final = frozenset({"drones", "missiles", "airstrike", "shelling", "explosions"})
NOW_WINDOW: Final = timedelta(hours=1)
# "What happened": reports only; live threats of the last hour are shown under "now".
SECTIONS: Final = (
    ("strikes", ("drones", "missiles", "airstrike")),
    ("attacks", ("shelling", "explosions")),
    ("casualties", ("casualties", "damage")),
    ("power", ("power_outage", "outage_schedule", "power_restored")),
    ("rail", ("train_delay",)),
)
STALE_FACTOR: Final = 3
STALE_MIN: Final = timedelta(minutes=2)
STALE_ERRORS: Final = 3
NATIONAL_KINDS: Final = ("alerts", "air_force")


# ---- formatting ------------------------------------------------------------------------------


def fmt_num(lang: str, n: int) -> str:
    """30000 → "30 000" (uk, no-break space) or "30,000" (en): the alerts' own formatting."""
    return fmt_int(n, lang)


def fmt_time(lang: str, at: datetime, now: datetime, tz: ZoneInfo) -> str:
    """Local "HH:MM" for today, else with the day too."""
    local = at.astimezone(tz)
    clock = local.strftime("%H:%M")
    if local.date() == now.astimezone(tz).date():
        return clock
    month = t(lang, f"month.{local.month}")
    return t(lang, "fmt.day_time", day=local.day, month=month, time=clock)


def fmt_duration(lang: str, minutes: int) -> str:
    h, m = divmod(max(0, minutes), 60)
    if h and m:
        return t(lang, "dur.hm", h=h, m=m)
    return t(lang, "dur.h", h=h) if h else t(lang, "dur.m", m=m)


def post_link(row: crud.EventRow) -> str:
    return f"https://t.me/{row.channel}/{row.message_id}"


# ---- honesty about silence -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Staleness:
    """Sources that have not been read successfully lately; ``since`` None = never."""

    since: datetime | None
    channels: tuple[str, ...]


class PollState(Protocol):
    """What the staleness rule reads of a channel (``ChannelHealth``, the admin report's rows)."""

    @property
    def last_poll_at(self) -> datetime | None: ...
    @property
    def last_poll_ok(self) -> bool | None: ...
    @property
    def poll_interval_s(self) -> int: ...
    @property
    def consecutive_errors(self) -> int: ...
    @property
    def last_post_at(self) -> datetime | None: ...


def last_good(c: PollState) -> datetime | None:
    """When the channel was last known to be polled successfully; ``None`` if never (a
    failing channel that never gave us a post is not "stale since the bot started")."""
    if c.last_poll_at is None:
        return None
    if c.last_poll_ok:
        return c.last_poll_at
    if c.last_post_at is None:
        return None
    return c.last_poll_at - timedelta(seconds=c.poll_interval_s * max(1, c.consecutive_errors))


def is_stale(c: PollState, now: datetime) -> bool:
    """Never polled, failing repeatedly, or no good poll within a few intervals."""
    good = last_good(c)
    limit = max(timedelta(seconds=c.poll_interval_s * STALE_FACTOR), STALE_MIN)
    return good is None or c.consecutive_errors >= STALE_ERRORS or now - good > limit


def staleness(
    health: Sequence[crud.ChannelHealth], now: datetime, region: str | None = None
) -> Staleness | None:
    """Whether the sources behind a region (or, for ``None``, the alert sources) are stale.

    Relevant are the national alert/Air Force channels and the region's own channels. No
    relevant channel at all counts as stale too: no data must never read as all clear.
    """
    if region is None:
        relevant = [c for c in health if c.kind == "alerts" and c.default_region is None]
    else:
        relevant = [
            c
            for c in health
            if (c.kind in NATIONAL_KINDS and c.default_region is None) or c.default_region == region
        ]
    if not relevant:
        return Staleness(None, ())
    stale: list[tuple[datetime | None, str]] = []
    for c in relevant:
        if is_stale(c, now):
            stale.append((last_good(c), c.username))
    if not stale:
        return None
    known = [g for g, _ in stale if g is not None]
    since = None if len(known) < len(stale) else min(known)
    return Staleness(since, tuple(sorted(name for _, name in stale)))


def sources_verdict(health: Sequence[crud.ChannelHealth], now: datetime) -> tuple[bool, str]:
    """``/healthz``'s source check: failing while no source is fresh or a national alert source
    is stale (then nobody would hear of a new alert); every stale source is named either way, so
    one regional channel serving garbage shows up without taking the whole instance down."""
    national = [c for c in health if c.kind in NATIONAL_KINDS and c.default_region is None]
    stale = sorted(c.username for c in health if is_stale(c, now))
    fresh = len(health) - len(stale)
    ok = fresh > 0 and not any(is_stale(c, now) for c in national)
    detail = f"{fresh} of {len(health)} sources fresh"
    if stale:
        detail += "; stale: " + ", ".join(stale)
    return ok, detail


def stale_line(lang: str, stale: Staleness | None, now: datetime, tz: ZoneInfo) -> str | None:
    if stale is None:
        return None
    if stale.since is None:
        return t(lang, "stale.never")
    return t(lang, "stale.since", time=fmt_time(lang, stale.since, now, tz))


# ---- alert state -----------------------------------------------------------------------------


def alert_line(lang: str, state: crud.AlertState, now: datetime, tz: ZoneInfo) -> str:
    """🔴 alert on since HH:MM / 🟢 calm (all clear at HH:MM) / 🟢 no alerts on record."""
    if state.active and state.started_at is not None:
        return t(lang, "alert.on", time=fmt_time(lang, state.started_at, now, tz))
    if state.ended_at is not None:
        return t(lang, "alert.off_since", time=fmt_time(lang, state.ended_at, now, tz))
    return t(lang, "alert.off")


# ---- event lines -----------------------------------------------------------------------------


def counts_text(lang: str, counts: dict[str, int]) -> str:
    parts = []
    for key in COUNT_ORDER:
        n = counts.get(key)
        if not n:
            continue
        if key == "delay_minutes":
            parts.append(t(lang, "count.delay_minutes", d=fmt_duration(lang, n)))
        else:
            parts.append(t(lang, f"count.{key}", n=fmt_num(lang, n)))
    damage = damage_text(counts, lang)  # "пошкоджено 7 будинків": a phrase, not a label
    if damage:
        parts.append(damage)
    return ", ".join(parts)


def places_text(lang: str, row: crud.EventRow, limit: int = 3) -> str:
    names: list[str] = []
    for p in row.places:
        if p.get("level") == "region" or p.get("region") not in (row.region, None):
            continue
        name = str(p.get("name_en" if lang == "en" else "name_uk") or "")
        if name and name not in names:
            names.append(name)
    return html.escape(", ".join(names[:limit]))


def event_line(lang: str, row: crud.EventRow, now: datetime, tz: ZoneInfo) -> str:
    label = t(lang, f"kind.{row.kind}")
    if row.region == "UA":
        label = t(lang, "latest.nationwide", label=label)
    trains = (
        t(lang, "count.train_numbers", numbers=html.escape(", ".join(row.train_numbers[:8])))
        if row.train_numbers
        else ""
    )
    details = [d for d in (places_text(lang, row), trains, counts_text(lang, row.counts)) if d]
    return t(
        lang,
        "latest.event",
        time=fmt_time(lang, row.occurred_at, now, tz),
        label=label,
        details=(" — " + "; ".join(details)) if details else "",
        url=html.escape(post_link(row)),
    )


def section_lines(
    lang: str,
    rows: Iterable[crud.EventRow],
    now: datetime,
    tz: ZoneInfo,
    kinds: set[str] | None = None,
) -> list[str]:
    """Events grouped in the :data:`SECTIONS` order, each section with its heading."""
    by_kind: dict[str, list[crud.EventRow]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    lines: list[str] = []
    for section, section_kinds in SECTIONS:
        picked = [
            r for k in section_kinds if kinds is None or k in kinds for r in by_kind.get(k, [])
        ]
        if not picked:
            continue
        picked.sort(key=lambda r: (r.occurred_at, r.id), reverse=True)
        lines.append("")
        lines.append(t(lang, f"section.{section}"))
        lines.extend(event_line(lang, r, now, tz) for r in picked)
    return lines


# ---- /latest ---------------------------------------------------------------------------------


def latest_rows(session: Session, region: str, now: datetime) -> list[crud.EventRow]:
    """The events /latest shows for ``region``: one indexed query."""
    wanted = [(region, kind, n) for kind, n in KIND_LIMITS.items()]
    if region != "UA":
        wanted += [("UA", kind, 1) for kind in NATIONWIDE_KINDS]
    return crud.newest_events(session, wanted, now - WINDOW)


def latest_summary(session: Session, region: str, now: datetime, lang: str, tz: ZoneInfo) -> str:
    """The /latest text (HTML) for one region."""
    rows = latest_rows(session, region, now)
    state = crud.alert_states(session, [region])[region]
    stale = staleness(crud.channel_health(session), now, region)
    return render_latest(lang, region, rows, state, stale, now, tz)


def is_threat_now(row: crud.EventRow, now: datetime) -> bool:
    """A live threat reported within the last hour: shown under "now", not "what happened"."""
    return row.live and row.kind in THREAT_KINDS and now - row.occurred_at <= NOW_WINDOW


def render_latest(
    lang: str,
    region: str,
    rows: Sequence[crud.EventRow],
    state: crud.AlertState,
    stale: Staleness | None,
    now: datetime,
    tz: ZoneInfo,
) -> str:
    """ "Now" (the alert state and live threats of the last hour) apart from "what happened"
    (reports). A stale source is said first, and then no green "no alert" line follows it."""
    lines = [
        t(
            lang,
            "latest.title",
            region=region_name(region, lang),
            hours=int(WINDOW.total_seconds() // 3600),
            time=fmt_time(lang, now, now, tz),
        )
    ]
    warning = stale_line(lang, stale, now, tz)
    if warning:
        lines.append(warning)
    lines.append("")
    lines.append(t(lang, "latest.now"))
    if warning and not state.active:
        lines.append(t(lang, "alert.unknown"))
    else:
        lines.append(alert_line(lang, state, now, tz))
    threats = [r for r in rows if is_threat_now(r, now)]
    threats.sort(key=lambda r: (r.occurred_at, r.id), reverse=True)
    lines.extend(event_line(lang, r, now, tz) for r in threats)
    if not threats:
        lines.append(t(lang, "latest.no_threats"))
    reports = [r for r in rows if not r.live]
    body = section_lines(lang, reports, now, tz)
    lines.append("")
    lines.append(t(lang, "latest.happened"))
    if any(r.region == region for r in reports):
        lines.extend(body[1:] if body and body[0] == "" else body)
    else:
        lines.append(t(lang, "latest.empty_stale" if stale else "latest.empty"))
        lines.extend(body)  # nationwide figures still help
    return "\n".join(lines)
