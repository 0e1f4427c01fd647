"""The daily digest: what happened in a chat's regions over the last 24 hours.

:func:`digest_text` returns ``None`` when nothing happened (nothing is sent then). Scheduling
lives in ``handlers/digests.py``: one JobQueue job a minute picks the chats whose digest time is
that minute, which scales to any number of chats (no job per chat to keep in sync).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.alerting.topics import TOPIC_OF_KIND
from bot.chats import regions_of_many
from bot.i18n import t
from bot.latest import (
    fmt_num,
    fmt_time,
    region_name,
    section_lines,
    stale_line,
    staleness,
)
from bot.maps.night import night_state, render_night_map
from storage.crud.chats import mask_to_topics
from storage.crud.summaries import (
    DigestChat,
    EventRow,
    channel_health,
    digest_chats,
    newest_events,
)

DIGEST_WINDOW: Final = timedelta(hours=24)
PER_KIND: Final = 3  # event lines per kind and region
ALERTS_CAP: Final = 200  # alert starts counted per region and day


def due_digests(session: Session, hhmm: str) -> list[tuple[DigestChat, list[str]]]:
    """The chats whose digest time is ``hhmm``, each with its regions."""
    chats = digest_chats(session, hhmm)
    regions = regions_of_many(session, [c.id for c in chats])
    return [(c, regions[c.id]) for c in chats]


def _wanted(regions: Sequence[str], kinds: set[str]) -> list[tuple[str, str, int]]:
    wanted: list[tuple[str, str, int]] = []
    for region in regions:
        for kind in sorted(kinds):
            if kind == "air_alert_start":
                wanted.append((region, kind, ALERTS_CAP))
            elif kind != "air_alert_end":
                wanted.append((region, kind, PER_KIND))
    return wanted


def digest_text(
    session: Session,
    regions: Sequence[str],
    topics_mask: int,
    now: datetime,
    lang: str,
    tz: ZoneInfo,
) -> str | None:
    """The digest (HTML) of ``regions`` for the topics in ``topics_mask``, or None if quiet."""
    topics = set(mask_to_topics(topics_mask))
    kinds = {k for k, topic in TOPIC_OF_KIND.items() if topic in topics}
    if not regions or not kinds:
        return None
    rows = newest_events(session, _wanted(regions, kinds), now - DIGEST_WINDOW)
    if not rows:
        return None
    health = channel_health(session)
    lines = [t(lang, "digest.title", time=fmt_time(lang, now, now, tz))]
    for region in regions:
        mine = [r for r in rows if r.region == region]
        if not mine:
            continue
        lines.append("")
        lines.append(t(lang, "digest.region", region=region_name(lang, region)))
        warning = stale_line(lang, staleness(health, now, region), now, tz)
        if warning:
            lines.append(warning)
        lines.extend(_totals(lang, mine))
        lines.extend(section_lines(lang, mine, now, tz, kinds - {"air_alert_start"}))
    return "\n".join(lines)


def digest_map(session: Session, now: datetime, lang: str, tz: ZoneInfo) -> bytes | None:
    """The map of the digest's 24 hours (alerts, hits, outages), or None if nothing happened:
    the same picture for every chat of a language, so it is rendered once per batch."""
    period = night_state(session, now - DIGEST_WINDOW, now)
    if period.quiet:
        return None
    return render_night_map(period, lang, tz, title_key="map.day_title")


def _totals(lang: str, rows: Sequence[EventRow]) -> list[str]:
    out: list[str] = []
    alerts = sum(1 for r in rows if r.kind == "air_alert_start")
    if alerts:
        out.append(t(lang, "digest.alerts", n=fmt_num(lang, alerts)))
    return out
