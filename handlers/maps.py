"""/map and /history: the pictures, sent with sendPhoto.

Rendering runs on a worker thread; ``/map`` pictures come from the render cache while the
state is unchanged, so a storm of requests renders once.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import Update
from telegram.constants import ParseMode

from bot import chats
from bot.i18n import t
from bot.maps import cached_map
from bot.maps.history import History, history_text, load_history, render_history
from bot.maps.render import Town, fmt_clock
from bot.maps.state import MapState, load_state
from handlers.callbacks import ShowHistory
from handlers.common import answered_region_tap, chat_info, region_keyboard, reply
from handlers.context import SitrepContext
from handlers.subscriptions import asked_region
from storage import crud


def _map_inputs(
    session: Session, chat_id: int, now: datetime, lang: str
) -> tuple[MapState, list[str], list[Town]]:
    towns = [
        (p.region, p.name_en if lang == "en" else p.name_uk, p.key)
        for p in crud.followed_places(session, chat_id)
    ]
    return load_state(session, now), chats.regions_of(session, chat_id), towns


def map_caption(state: MapState, lang: str, zone: ZoneInfo) -> str:
    caption = t(lang, "map.caption", time=fmt_clock(lang, state.as_of, zone))
    if state.stale:
        caption += "\n" + t(lang, "map.caption_stale")
    return caption


async def map_command(update: Update, context: SitrepContext) -> None:
    """/map: Ukraine coloured by the current alert state, the chat's regions outlined and its
    towns pinned."""
    info = await chat_info(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    zone = context.tz
    state, mine, towns = await context.read(_map_inputs, info.id, context.clock(), info.lang)
    png = await asyncio.to_thread(cached_map, state, info.lang, zone, mine, towns)
    await chat.send_photo(
        png, caption=map_caption(state, info.lang, zone), parse_mode=ParseMode.HTML
    )


async def _send_history(update: Update, context: SitrepContext, lang: str, region: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    zone = context.tz
    found: History = await context.read(load_history, region, context.clock(), zone)
    png = await asyncio.to_thread(render_history, found, lang, zone)
    await chat.send_photo(png)
    await reply(update, history_text(found, lang, zone))


async def history_command(update: Update, context: SitrepContext) -> None:
    """/history [region]: 7 days of alerts as a timeline and a text; the chat's region when
    it follows exactly one, else a question."""
    asked = await asked_region(update, context, ShowHistory)
    if asked is None:
        return
    info, region = asked
    if region is None:
        mine = await context.read(chats.regions_of, info.id)
        if len(mine) != 1:
            await reply(
                update,
                t(info.lang, "history.ask"),
                region_keyboard(info.lang, ShowHistory, regions=mine or None),
            )
            return
        region = mine[0]
    await _send_history(update, context, info.lang, region)


async def history_tap(update: Update, context: SitrepContext) -> None:
    region, info = await answered_region_tap(update, context, ShowHistory)
    await _send_history(update, context, info.lang, region)
