"""/latest, /regions and /status: what is happening, and how fresh that knowledge is."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import Update

from bot import chats
from bot.geo.regions import REGIONS
from bot.i18n import t
from bot.latest import alert_line, fmt_num, fmt_time, latest_summary, stale_line, staleness
from handlers import towns
from handlers.callbacks import ShowLatest, Subscribe
from handlers.common import (
    answered_region_tap,
    chat_info,
    query_of,
    region_keyboard,
    reply,
    sorted_regions,
)
from handlers.context import SitrepContext
from handlers.subscriptions import region_or_ask
from storage import crud


def _latest(session: Session, regions: list[str], now: datetime, lang: str, zone: ZoneInfo) -> str:
    return "\n\n".join(latest_summary(session, r, now, lang, zone) for r in regions)


async def latest(update: Update, context: SitrepContext) -> None:
    """/latest [region]: the last 12 hours of the given region or of each subscribed one."""
    query = await query_of(update, context)
    if query is None:
        return
    info = await chat_info(update, context)
    if query:
        region = await region_or_ask(update, info.lang, query, ShowLatest)
        if region is None:
            return
        regions = [region]
    else:
        regions = await context.read(chats.regions_of, info.id)
        if not regions:
            keyboard = region_keyboard(info.lang, ShowLatest)
            await reply(update, t(info.lang, "latest.no_regions"), keyboard)
            return
    text = await context.read(_latest, regions, context.clock(), info.lang, context.tz)
    await reply(update, text)


async def latest_tap(update: Update, context: SitrepContext) -> None:
    region, info = await answered_region_tap(update, context, ShowLatest)
    text = await context.read(_latest, [region], context.clock(), info.lang, context.tz)
    await reply(update, text)


def _regions_text(session: Session, chat_id: int, now: datetime, lang: str, zone: ZoneInfo) -> str:
    mine = chats.regions_of(session, chat_id)
    if not mine:
        return ""
    states = crud.alert_states(session, mine)
    health = crud.channel_health(session)
    lines = [t(lang, "regions.title")]
    warning = stale_line(lang, staleness(health, now, None), now, zone)
    if warning:
        lines.append(warning)
    followed = chats.towns_by_region(session, chat_id)
    for region in mine:
        name = html.escape(t(lang, f"region.{region}"))
        lines.append(
            t(lang, "regions.item", region=name, state=alert_line(lang, states[region], now, zone))
        )
        if region in followed:  # followed down to the town
            names = ", ".join(html.escape(towns.place_name(p, lang)) for p in followed[region])
            lines.append(t(lang, "regions.towns", places=names))
    return "\n".join(lines)


async def regions(update: Update, context: SitrepContext) -> None:
    """/regions: the chat's regions with their air-raid state."""
    info = await chat_info(update, context)
    text = await context.read(_regions_text, info.id, context.clock(), info.lang, context.tz)
    if not text:
        await reply(update, t(info.lang, "regions.none"), region_keyboard(info.lang, Subscribe))
        return
    await reply(update, text)


def _status_text(session: Session, now: datetime, lang: str, zone: ZoneInfo) -> str:
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


async def status(update: Update, context: SitrepContext) -> None:
    """/status: every region under an air-raid alert now, with since when."""
    info = await chat_info(update, context)
    text = await context.read(_status_text, context.clock(), info.lang, context.tz)
    await reply(update, text)
