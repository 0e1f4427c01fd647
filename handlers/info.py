"""/latest, /regions and /status: what is happening, and how fresh that knowledge is."""

from __future__ import annotations

import html
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from bot.geo import REGIONS
from bot.i18n import t
from bot.latest import alert_line, fmt_num, fmt_time, latest_summary, stale_line, staleness
from handlers import towns
from handlers.common import (
    answered_region_tap,
    chat_info,
    db,
    known_regions,
    query_of,
    region_keyboard,
    reply,
    sorted_regions,
    svc,
    tz,
)
from handlers.subscriptions import SUB, region_or_ask
from storage import crud

LATEST = "lat"  # lat:UA-74 → /latest for that region


def _latest(session: Session, regions: list[str], now: datetime, lang: str, zone: ZoneInfo) -> str:
    return "\n\n".join(latest_summary(session, r, now, lang, zone) for r in regions)


def _mine(session: Session, chat_id: int) -> list[str]:
    return known_regions(crud.subscriptions_of(session, chat_id))


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/latest [region]: the last 12 hours of the given region or of each subscribed one."""
    query = await query_of(update, context)
    if query is None:
        return
    info = await chat_info(update, context)
    if query:
        region = await region_or_ask(update, info.lang, query, LATEST)
        if region is None:
            return
        regions = [region]
    else:
        regions = await db(context, partial(_mine, chat_id=info.id), readonly=True)
        if not regions:
            await reply(
                update, t(info.lang, "latest.no_regions"), region_keyboard(info.lang, LATEST)
            )
            return
    now = svc(context).clock()
    text = await db(
        context,
        partial(_latest, regions=regions, now=now, lang=info.lang, zone=tz(context)),
        readonly=True,
    )
    await reply(update, text)


async def latest_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    tap = await answered_region_tap(update, context)
    if tap is None:
        return
    region, info = tap
    now = svc(context).clock()
    text = await db(
        context,
        partial(_latest, regions=[region], now=now, lang=info.lang, zone=tz(context)),
        readonly=True,
    )
    await reply(update, text)


def _regions_text(session: Session, chat_id: int, now: datetime, lang: str, zone: ZoneInfo) -> str:
    mine = _mine(session, chat_id)
    if not mine:
        return ""
    states = crud.alert_states(session, mine)
    health = crud.channel_health(session)
    lines = [t(lang, "regions.title")]
    warning = stale_line(lang, staleness(health, now, None), now, zone)
    if warning:
        lines.append(warning)
    followed = towns.towns_by_region(session, chat_id)
    for region in mine:
        name = html.escape(t(lang, f"region.{region}"))
        lines.append(
            t(lang, "regions.item", region=name, state=alert_line(lang, states[region], now, zone))
        )
        if region in followed:  # followed down to the town
            names = ", ".join(html.escape(towns.place_name(p, lang)) for p in followed[region])
            lines.append(t(lang, "regions.towns", places=names))
    return "\n".join(lines)


async def regions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/regions: the chat's regions with their air-raid state."""
    info = await chat_info(update, context)
    now = svc(context).clock()
    text = await db(
        context,
        partial(_regions_text, chat_id=info.id, now=now, lang=info.lang, zone=tz(context)),
        readonly=True,
    )
    if not text:
        await reply(update, t(info.lang, "regions.none"), region_keyboard(info.lang, SUB))
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


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status: every region under an air-raid alert now, with since when."""
    info = await chat_info(update, context)
    now = svc(context).clock()
    text = await db(
        context, partial(_status_text, now=now, lang=info.lang, zone=tz(context)), readonly=True
    )
    await reply(update, text)
