"""/latest, /regions and /status: what is happening, and how fresh that knowledge is."""

from __future__ import annotations

from telegram import Update

from bot import chats, overview
from bot.i18n import t
from handlers.callbacks import ShowLatest, Subscribe
from handlers.common import answered_region_tap, chat_info, query_of, region_keyboard, reply
from handlers.context import SitrepContext
from handlers.subscriptions import region_or_ask


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
    text = await context.read(overview.latest_text, regions, context.clock(), info.lang, context.tz)
    await reply(update, text)


async def latest_tap(update: Update, context: SitrepContext) -> None:
    region, info = await answered_region_tap(update, context, ShowLatest)
    text = await context.read(
        overview.latest_text, [region], context.clock(), info.lang, context.tz
    )
    await reply(update, text)


async def regions(update: Update, context: SitrepContext) -> None:
    """/regions: the chat's regions with their air-raid state."""
    info = await chat_info(update, context)
    text = await context.read(
        overview.regions_text, info.id, context.clock(), info.lang, context.tz
    )
    if not text:
        await reply(update, t(info.lang, "regions.none"), region_keyboard(info.lang, Subscribe))
        return
    await reply(update, text)


async def status(update: Update, context: SitrepContext) -> None:
    """/status: every region under an air-raid alert now, with since when."""
    info = await chat_info(update, context)
    text = await context.read(overview.status_text, context.clock(), info.lang, context.tz)
    await reply(update, text)
