"""/start, /help, /subscribe and /unsubscribe, with their region buttons."""

from __future__ import annotations

import html
from functools import partial

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.geo.resolution import Option, Resolution, resolve_off_loop
from bot.i18n import language_of, t
from handlers import towns
from handlers.common import (
    ChatInfo,
    allowed_tap,
    chat_info,
    db,
    edit,
    expired,
    known_regions,
    may_change,
    query_of,
    region_keyboard,
    reply,
    tapped_region,
)
from storage import crud

SUB = "sub"  # sub:UA-74 → subscribe
UNSUB = "uns"  # uns:UA-74 → unsubscribe
KYIV_PAIR = {"UA-30": "UA-32", "UA-32": "UA-30"}


def _register(session: Session, chat_id: int, chat_type: str, lang: str) -> tuple[str, list[str]]:
    """Register the chat (language from the user on first contact); its language and regions."""
    chat = crud.get_chat(session, chat_id)
    chat = crud.upsert_chat(
        session, chat_id, type=chat_type, language=None if chat is not None else lang
    )
    return chat.language, _mine(session, chat_id)


def _subscribe(session: Session, chat_id: int, region: str) -> list[str]:
    towns.subscribe_whole(session, chat_id, region)  # the region itself: followed whole
    return _mine(session, chat_id)


def _unsubscribe(session: Session, chat_id: int, region: str) -> tuple[bool, list[str]]:
    removed = crud.unsubscribe(session, chat_id, region)
    return removed, _mine(session, chat_id)


def _mine(session: Session, chat_id: int) -> list[str]:
    return known_regions(crud.subscriptions_of(session, chat_id))


def regions_list(lang: str, regions: list[str]) -> str:
    return ", ".join(html.escape(t(lang, f"region.{r}")) for r in regions)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, register the chat and offer the regions."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    user_lang = language_of(user.language_code if user else None)
    chat_type = chat.type if chat.type in ("private", "group", "supergroup") else "group"
    lang, mine = await db(
        context, partial(_register, chat_id=chat.id, chat_type=chat_type, lang=user_lang)
    )
    name = ", " + html.escape(user.first_name) if user and chat.type == "private" else ""
    if chat.type != "private" and not await towns.is_group_admin(update, context):
        # buttons a group member cannot use are not shown
        await reply(update, t(lang, "start.greeting", name=name))
        return
    text = t(lang, "start.greeting", name=name) + "\n\n" + t(lang, "start.pick")
    await reply(update, text, region_keyboard(lang, SUB, marked=mine))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    info = await chat_info(update, context)
    await reply(update, t(info.lang, "help"))


async def _confirm(update: Update, info: ChatInfo, option: Option, regions: list[str]) -> str:
    lang = info.lang
    region = t(lang, f"region.{option.region}")
    if option.place_uk:
        place = option.place_en if lang == "en" and option.place_en else option.place_uk
        text = t(lang, "sub.done_place", place=html.escape(place), region=html.escape(region))
    else:
        text = t(lang, "sub.done", region=html.escape(region))
    return text + "\n" + t(lang, "sub.now", regions=regions_list(lang, regions))


async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe [text]: a region, a town (→ its oblast), typos; asks when ambiguous."""
    query = await query_of(update, context)
    if query is None:
        return
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return
    if not query:
        mine = await db(context, partial(_mine, chat_id=info.id), readonly=True)
        await reply(
            update, t(info.lang, "start.pick"), region_keyboard(info.lang, SUB, marked=mine)
        )
        return
    found = await resolve_off_loop(query)
    town = towns.town_of(found.options[0]) if found.kind == "place" else None
    if town is not None:  # down to the town: its oblast's alerts, its own raion's news
        follow = partial(towns.subscribe_town, chat_id=info.id, place=town)
        regions = await db(context, follow)
        text = towns.town_done(info.lang, town)
        await reply(update, text + "\n" + t(info.lang, "sub.now", regions=regions_list(info.lang, regions)))  # fmt: skip
        return
    if found.kind in ("region", "place"):
        regions = await db(context, partial(_subscribe, chat_id=info.id, region=found.region))
        text = await _confirm(update, info, found.options[0], regions)
        other = KYIV_PAIR.get(found.region)
        if other is None or other in regions:
            await reply(update, text)
            return
        # Kyiv city and Kyiv oblast are separate regions: say so, offer the other one.
        other_acc = t(info.lang, f"region.{other}.acc")  # "Додати ще Київщину?"
        note = t(info.lang, "sub.kyiv_note", other=html.escape(other_acc))
        button = InlineKeyboardButton(
            t(info.lang, f"region.{other}"), callback_data=f"{SUB}:{other}"
        )
        await reply(update, text + "\n\n" + note, InlineKeyboardMarkup([[button]]))
        return
    await ask(update, info.lang, query, found, SUB)


async def region_or_ask(update: Update, lang: str, query: str, prefix: str) -> str | None:
    """The one region a typed query names (a region, or a place in it); else the chat is asked
    to choose, or told nothing matched, and the answer comes back as a ``prefix`` tap."""
    found = await resolve_off_loop(query)
    if found.kind not in ("region", "place"):
        await ask(update, lang, query, found, prefix)
        return None
    return found.region


async def ask(update: Update, lang: str, query: str, found: Resolution, prefix: str) -> None:
    """Ambiguous → a short question with buttons; unknown → not found, with suggestions."""
    buttons = [
        [InlineKeyboardButton(_option_label(lang, o), callback_data=f"{prefix}:{o.region}")]
        for o in found.options
    ]
    key = "sub.ambiguous" if found.kind == "ambiguous" else "sub.unknown"
    text = t(lang, key, query=html.escape(query))
    await reply(update, text, InlineKeyboardMarkup(buttons) if buttons else None)


def _option_label(lang: str, option: Option) -> str:
    region = t(lang, f"region.{option.region}")
    if option.place_uk is None:
        return region
    place = option.place_en if lang == "en" and option.place_en else option.place_uk
    return t(lang, "sub.option_place", place=place, region=region)


async def subscribe_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A region button: subscribe, tick it, confirm."""
    region = tapped_region(update)
    if region is None:
        await expired(update, context)
        return
    tap = await allowed_tap(update, context)
    if tap is None:
        return
    query, _, info = tap
    regions = await db(context, partial(_subscribe, chat_id=info.id, region=region))
    name = t(info.lang, f"region.{region}")
    await query.answer(t(info.lang, "sub.done_short", region=name))
    text = t(info.lang, "sub.done", region=html.escape(name))
    text += "\n" + t(info.lang, "sub.now", regions=regions_list(info.lang, regions))
    text += "\n\n" + t(info.lang, "sub.more")
    await edit(query, text, region_keyboard(info.lang, SUB, marked=regions))


async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe [region]: buttons of the chat's regions when no argument."""
    query = await query_of(update, context)
    if query is None:
        return
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return
    mine = await db(context, partial(_mine, chat_id=info.id), readonly=True)
    if not mine:
        await reply(update, t(info.lang, "unsub.none"))
        return
    if not query:
        keyboard = region_keyboard(info.lang, UNSUB, regions=mine)
        await reply(update, t(info.lang, "unsub.pick"), keyboard)
        return
    found = await resolve_off_loop(query)
    hits = [o for o in found.options if o.region in mine]
    if (found.kind in ("region", "place") and hits) or len(hits) == 1:
        await _do_unsubscribe(update, context, info, hits[0].region)
        return
    if hits:
        await ask(update, info.lang, query, Resolution("ambiguous", hits), UNSUB)
        return
    text = t(info.lang, "unsub.not_subscribed", query=html.escape(query))
    await reply(update, text, region_keyboard(info.lang, UNSUB, regions=mine))


async def _do_unsubscribe(
    update: Update, context: ContextTypes.DEFAULT_TYPE, info: ChatInfo, region: str
) -> str:
    removed, rest = await db(context, partial(_unsubscribe, chat_id=info.id, region=region))
    name = html.escape(t(info.lang, f"region.{region}"))
    text = t(info.lang, "unsub.done" if removed else "unsub.was_not", region=name)
    text += "\n" + (
        t(info.lang, "sub.now", regions=regions_list(info.lang, rest))
        if rest
        else t(info.lang, "unsub.none_left")
    )
    if update.callback_query is None:
        await reply(update, text)
    return text


async def unsubscribe_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    region = tapped_region(update)
    if region is None:
        await expired(update, context)
        return
    tap = await allowed_tap(update, context)
    if tap is None:
        return
    query, _, info = tap
    text = await _do_unsubscribe(update, context, info, region)
    await query.answer()
    rest = await db(context, partial(_mine, chat_id=info.id), readonly=True)
    markup = region_keyboard(info.lang, UNSUB, regions=rest) if rest else None
    await edit(query, text, markup)
