"""Down to the town in the chat: following a town (with its hromada and raion), offering to
subscribe when a private chat names a place, help for unknown commands.

A town is kept together with its oblast's subscription: the oblast's own alerts still come,
other raions' alerts and posts do not (``bot.alerting.areas``). Subscribing the oblast itself
follows it whole again.
"""

from __future__ import annotations

import html
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import chats
from bot.geo.gazetteer import LEVEL_RANK, Place, load
from bot.geo.lookup import lookup
from bot.geo.resolution import Option, resolve_off_loop
from bot.i18n import t
from bot.overview import place_name
from handlers.callbacks import CallbackData, FollowTown, Subscribe
from handlers.common import ADMIN_STATUSES, ChatInfo, allowed_tap, chat_info, edit, reply, tapped
from handlers.context import SitrepContext

TOWN_LEVELS: Final = frozenset({"city", "selyshche", "village", "hromada", "raion"})


def town_of(option: Option) -> Place | None:
    """The gazetteer place behind a resolved option, if it is one a chat can follow."""
    if option.place_uk is None:
        return None
    found = [
        p
        for p in lookup(option.place_uk, limit=30)
        if p.region == option.region and p.name_uk == option.place_uk and p.level in TOWN_LEVELS
    ]
    return min(found, key=lambda p: LEVEL_RANK.get(p.level, 9), default=None)


def place_by_key(key: str) -> Place | None:
    g = load()
    idx = g.by_key.get(key)
    place = g.places[idx] if idx is not None else None
    return place if place is not None and place.level in TOWN_LEVELS else None


def town_done(lang: str, place: Place) -> str:
    region = t(lang, f"region.{place.region}")
    return t(
        lang,
        "sub.done_town",
        place=html.escape(place_name(place, lang)),
        region=html.escape(region),
    )


async def offer(update: Update, context: SitrepContext) -> None:
    """Plain text in a private chat that names a place: offer to subscribe (one button)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    found = await resolve_off_loop(message.text)
    if found.kind not in ("region", "place"):
        return
    info = await chat_info(update, context)
    option = found.options[0]
    town = town_of(option)
    region = html.escape(t(info.lang, f"region.{option.region}"))
    if town is not None:
        text = t(info.lang, "offer.place", place=html.escape(place_name(town, info.lang)), region=region)  # fmt: skip
        tap: CallbackData = FollowTown(town.key)
    else:
        text = t(info.lang, "offer.region", region=region)
        tap = Subscribe(option.region)
    button = InlineKeyboardButton(t(info.lang, "offer.button"), callback_data=tap.pack())
    await reply(update, text, InlineKeyboardMarkup([[button]]))


async def town_tap(update: Update, context: SitrepContext) -> None:
    """The offer's button: follow the town."""
    query = update.callback_query
    assert query is not None
    place = place_by_key(tapped(update, FollowTown).key)
    if place is None:
        await query.answer()
        return
    tap = await allowed_tap(update, context)
    if tap is None:
        return
    answered, _, info = tap
    await context.write(chats.subscribe_town, info.id, place)
    await answered.answer()
    await edit(answered, town_done(info.lang, place))


async def is_group_admin(update: Update, context: SitrepContext) -> bool:
    """Whether the sender may change this group (an admin, or the group posting as itself);
    asked quietly, to leave out buttons a member could not use."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None:
        return False
    sender = message.sender_chat if message is not None else None
    if sender is not None and sender.id == chat.id:
        return True
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ADMIN_STATUSES


async def unknown_command(update: Update, context: SitrepContext) -> None:
    """A command the bot does not know: say so and show the help."""
    info: ChatInfo = await chat_info(update, context)
    await reply(update, t(info.lang, "unknown_command") + "\n\n" + t(info.lang, "help"))
