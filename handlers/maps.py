"""/map and /history: the pictures, sent with sendPhoto.

Rendering runs on a worker thread; ``/map`` pictures come from the render cache while the
state is unchanged, so a storm of requests renders once.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.maps import cached_map
from bot.maps.history import History, history_text, load_history, render_history
from bot.maps.render import Town, fmt_clock
from bot.maps.state import MapState, load_state
from handlers.common import (
    answered_region_tap,
    chat_info,
    db,
    known_regions,
    query_of,
    region_keyboard,
    reply,
    svc,
    tz,
)
from handlers.subscriptions import region_or_ask
from storage import crud
from storage.crud.places import followed_places

HISTORY = "his"  # his:UA-74 → /history for that region


def _map_inputs(
    session: Session, chat_id: int, now: datetime, lang: str
) -> tuple[MapState, list[str], list[Town]]:
    towns = [
        (p.region, p.name_en if lang == "en" else p.name_uk)
        for p in followed_places(session, chat_id)
    ]
    mine = known_regions(crud.subscriptions_of(session, chat_id))
    return load_state(session, now), mine, towns


def map_caption(state: MapState, lang: str, zone: ZoneInfo) -> str:
    caption = t(lang, "map.caption", time=fmt_clock(lang, state.as_of, zone))
    if state.stale:
        caption += "\n" + t(lang, "map.caption_stale")
    return caption


async def map_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/map: Ukraine coloured by the current alert state, the chat's regions outlined and its
    towns pinned."""
    info = await chat_info(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    now = svc(context).clock()
    zone = tz(context)
    inputs = partial(_map_inputs, chat_id=info.id, now=now, lang=info.lang)
    state, mine, towns = await db(context, inputs, readonly=True)
    png = await asyncio.to_thread(cached_map, state, info.lang, zone, mine, towns)
    await chat.send_photo(
        png, caption=map_caption(state, info.lang, zone), parse_mode=ParseMode.HTML
    )


async def _send_history(
    update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str, region: str
) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    now = svc(context).clock()
    zone = tz(context)
    found: History = await db(
        context, partial(load_history, region=region, now=now, tz=zone), readonly=True
    )
    png = await asyncio.to_thread(render_history, found, lang, zone)
    await chat.send_photo(png)
    await reply(update, history_text(found, lang, zone))


async def history_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/history [region]: 7 days of alerts as a timeline and a text; the chat's region when
    it follows exactly one, else a question."""
    query = await query_of(update, context)
    if query is None:
        return
    info = await chat_info(update, context)
    if query:
        asked = await region_or_ask(update, info.lang, query, HISTORY)
        if asked is None:
            return
        region = asked
    else:
        mine = await db(context, partial(crud.subscriptions_of, chat_id=info.id), readonly=True)
        if len(mine) != 1:
            await reply(
                update,
                t(info.lang, "history.ask"),
                region_keyboard(info.lang, HISTORY, regions=mine or None),
            )
            return
        region = mine[0]
    await _send_history(update, context, info.lang, region)


async def history_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    tap = await answered_region_tap(update, context)
    if tap is None:
        return
    region, info = tap
    await _send_history(update, context, info.lang, region)
