"""/start, /help, /subscribe and /unsubscribe, with their region buttons."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import chats
from bot.geo.resolution import Option, Resolution, resolve_off_loop
from bot.i18n import language_of, t
from handlers import towns
from handlers.callbacks import RegionTap, Subscribe, Unsubscribe
from handlers.common import (
    ChatInfo,
    allowed_tap,
    chat_info,
    edit,
    may_change,
    query_of,
    region_keyboard,
    reply,
    tapped,
)
from handlers.context import SitrepContext

KYIV_PAIR = {"UA-30": "UA-32", "UA-32": "UA-30"}


def regions_list(lang: str, regions: list[str]) -> str:
    return ", ".join(html.escape(t(lang, f"region.{r}")) for r in regions)


async def start(update: Update, context: SitrepContext) -> None:
    """Greet, register the chat and offer the regions."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    user_lang = language_of(user.language_code if user else None)
    chat_type = chat.type if chat.type in ("private", "group", "supergroup") else "group"
    lang, mine = await context.write(chats.start, chat.id, chat_type, user_lang)
    name = ", " + html.escape(user.first_name) if user and chat.type == "private" else ""
    if chat.type != "private" and not await towns.is_group_admin(update, context):
        # buttons a group member cannot use are not shown
        await reply(update, t(lang, "start.greeting", name=name))
        return
    text = t(lang, "start.greeting", name=name) + "\n\n" + t(lang, "start.pick")
    await reply(update, text, region_keyboard(lang, Subscribe, marked=mine))


async def help_command(update: Update, context: SitrepContext) -> None:
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


async def subscribe_command(update: Update, context: SitrepContext) -> None:
    """/subscribe [text]: a region, a town (→ its oblast), typos; asks when ambiguous."""
    query = await query_of(update, context)
    if query is None:
        return
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return
    if not query:
        mine = await context.read(chats.regions_of, info.id)
        keyboard = region_keyboard(info.lang, Subscribe, marked=mine)
        await reply(update, t(info.lang, "start.pick"), keyboard)
        return
    found = await resolve_off_loop(query)
    town = towns.town_of(found.options[0]) if found.kind == "place" else None
    if town is not None:  # down to the town: its oblast's alerts, its own raion's news
        regions = await context.write(chats.subscribe_town, info.id, town)
        text = towns.town_done(info.lang, town)
        await reply(update, text + "\n" + t(info.lang, "sub.now", regions=regions_list(info.lang, regions)))  # fmt: skip
        return
    if found.kind in ("region", "place"):
        regions = await context.write(chats.subscribe_region, info.id, found.region)
        text = await _confirm(update, info, found.options[0], regions)
        other = KYIV_PAIR.get(found.region)
        if other is None or other in regions:
            await reply(update, text)
            return
        # Kyiv city and Kyiv oblast are separate regions: say so, offer the other one.
        other_acc = t(info.lang, f"region.{other}.acc")  # "Додати ще Київщину?"
        note = t(info.lang, "sub.kyiv_note", other=html.escape(other_acc))
        button = InlineKeyboardButton(
            t(info.lang, f"region.{other}"), callback_data=Subscribe(other).pack()
        )
        await reply(update, text + "\n\n" + note, InlineKeyboardMarkup([[button]]))
        return
    await ask(update, info.lang, query, found, Subscribe)


async def region_or_ask(update: Update, lang: str, query: str, tap: type[RegionTap]) -> str | None:
    """The one region a typed query names (a region, or a place in it); else the chat is asked
    to choose, or told nothing matched, and the answer comes back as a ``tap``."""
    found = await resolve_off_loop(query)
    if found.kind not in ("region", "place"):
        await ask(update, lang, query, found, tap)
        return None
    return found.region


async def ask(
    update: Update, lang: str, query: str, found: Resolution, tap: type[RegionTap]
) -> None:
    """Ambiguous → a short question with buttons; unknown → not found, with suggestions."""
    buttons = [
        [InlineKeyboardButton(_option_label(lang, o), callback_data=tap(o.region).pack())]
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


async def subscribe_tap(update: Update, context: SitrepContext) -> None:
    """A region button: subscribe, tick it, confirm."""
    region = tapped(update, Subscribe).region
    tap = await allowed_tap(update, context)
    if tap is None:
        return
    query, _, info = tap
    regions = await context.write(chats.subscribe_region, info.id, region)
    name = t(info.lang, f"region.{region}")
    await query.answer(t(info.lang, "sub.done_short", region=name))
    text = t(info.lang, "sub.done", region=html.escape(name))
    text += "\n" + t(info.lang, "sub.now", regions=regions_list(info.lang, regions))
    text += "\n\n" + t(info.lang, "sub.more")
    await edit(query, text, region_keyboard(info.lang, Subscribe, marked=regions))


async def unsubscribe_command(update: Update, context: SitrepContext) -> None:
    """/unsubscribe [region]: buttons of the chat's regions when no argument."""
    query = await query_of(update, context)
    if query is None:
        return
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return
    mine = await context.read(chats.regions_of, info.id)
    if not mine:
        await reply(update, t(info.lang, "unsub.none"))
        return
    if not query:
        keyboard = region_keyboard(info.lang, Unsubscribe, regions=mine)
        await reply(update, t(info.lang, "unsub.pick"), keyboard)
        return
    found = await resolve_off_loop(query)
    hits = [o for o in found.options if o.region in mine]
    if (found.kind in ("region", "place") and hits) or len(hits) == 1:
        await _do_unsubscribe(update, context, info, hits[0].region)
        return
    if hits:
        await ask(update, info.lang, query, Resolution("ambiguous", hits), Unsubscribe)
        return
    text = t(info.lang, "unsub.not_subscribed", query=html.escape(query))
    await reply(update, text, region_keyboard(info.lang, Unsubscribe, regions=mine))


async def _do_unsubscribe(
    update: Update, context: SitrepContext, info: ChatInfo, region: str
) -> tuple[str, list[str]]:
    removed, rest = await context.write(chats.unsubscribe, info.id, region)
    name = html.escape(t(info.lang, f"region.{region}"))
    text = t(info.lang, "unsub.done" if removed else "unsub.was_not", region=name)
    text += "\n" + (
        t(info.lang, "sub.now", regions=regions_list(info.lang, rest))
        if rest
        else t(info.lang, "unsub.none_left")
    )
    if update.callback_query is None:
        await reply(update, text)
    return text, rest


async def unsubscribe_tap(update: Update, context: SitrepContext) -> None:
    region = tapped(update, Unsubscribe).region
    tap = await allowed_tap(update, context)
    if tap is None:
        return
    query, _, info = tap
    text, rest = await _do_unsubscribe(update, context, info, region)
    await query.answer()
    markup = region_keyboard(info.lang, Unsubscribe, regions=rest) if rest else None
    await edit(query, text, markup)
