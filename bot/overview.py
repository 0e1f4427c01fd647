"""The answers of ``/latest``, ``/regions`` and ``/status``: each reads what it shows in one
read-only transaction (the handler's ``context.read``), so it describes one state."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.chats import regions_of, towns_by_region
from bot.geo.gazetteer import Place
from bot.geo.regions import REGIONS
from bot.i18n import t
from bot.i18n.collate import sort_key
from bot.latest import alert_line, fmt_num, fmt_time, latest_summary, stale_line, staleness
from storage import crud
from storage.crud.places import FollowedPlace


def sorted_regions(lang: str) -> list[str]:
    """Region codes by their names in the chat's alphabet (Ukrainian order for uk)."""
    return sorted(REGIONS, key=lambda code: sort_key(t(lang, f"region.{code}"), lang))


def place_name(place: Place | FollowedPlace, lang: str) -> str:
    """The place's name in ``lang`` (Ukrainian when it has no English one)."""
    return place.name_en if lang == "en" and place.name_en else place.name_uk


def latest_text(
    session: Session, regions: list[str], now: datetime, lang: str, zone: ZoneInfo
) -> str:
    """``/latest``: the last 12 hours of each region."""
    return "\n\n".join(latest_summary(session, r, now, lang, zone) for r in regions)


def regions_text(session: Session, chat_id: int, now: datetime, lang: str, zone: ZoneInfo) -> str:
    """``/regions``: the chat's regions with their air-raid state and followed towns; empty
    when it has none."""
    mine = regions_of(session, chat_id)
    if not mine:
        return ""
    states = crud.alert_states(session, mine)
    health = crud.channel_health(session)
    lines = [t(lang, "regions.title")]
    warning = stale_line(lang, staleness(health, now, None), now, zone)
    if warning:
        lines.append(warning)
    followed = towns_by_region(session, chat_id)
    for region in mine:
        name = html.escape(t(lang, f"region.{region}"))
        lines.append(
            t(lang, "regions.item", region=name, state=alert_line(lang, states[region], now, zone))
        )
        if region in followed:  # followed down to the town
            names = ", ".join(html.escape(place_name(p, lang)) for p in followed[region])
            lines.append(t(lang, "regions.towns", places=names))
    return "\n".join(lines)


def status_text(session: Session, now: datetime, lang: str, zone: ZoneInfo) -> str:
    """``/status``: every region under an air-raid alert now, with since when."""
    states = crud.alert_states(session, list(REGIONS))
    stale = staleness(crud.channel_health(session), now, None)
    lines = [t(lang, "status.title", time=fmt_time(lang, now, now, zone))]
    warning = stale_line(lang, stale, now, zone)
    if warning:
        lines.append(warning)
    active = [r for r in sorted_regions(lang) if states[r].active]
    if not active:
        lines.append(t(lang, "status.calm_stale" if stale else "status.calm"))
        return "\n".join(lines)
    lines.append(t(lang, "status.count", n=fmt_num(lang, len(active)), total=len(REGIONS)))
    for region in active:
        started = states[region].started_at
        assert started is not None
        lines.append(
            t(
                lang,
                "status.item",
                region=html.escape(t(lang, f"region.{region}")),
                time=fmt_time(lang, started, now, zone),
            )
        )
    return "\n".join(lines)
