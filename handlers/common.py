"""Helpers shared by the command handlers: the chat's language, admin checks, replies, taps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from telegram import (
    CallbackQuery,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import chats
from bot.geo.resolution import MAX_QUERY
from bot.html_split import split_html
from bot.i18n import language_of, t
from bot.overview import sorted_regions
from handlers.callbacks import CallbackData, RegionTap, outdated_command
from handlers.context import SitrepContext

C = TypeVar("C", bound=CallbackData)
ADMIN_STATUSES: Final = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})


@dataclass(frozen=True, slots=True)
class ChatInfo:
    id: int
    lang: str
    private: bool


async def chat_info(update: Update, context: SitrepContext) -> ChatInfo:
    """The chat, registered on first contact with the sender's language (uk or en)."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None
    user_lang = language_of(user.language_code if user else None)
    chat_type = chat.type if chat.type in ("private", "group", "supergroup", "channel") else "group"
    # A read first: most commands come from known chats, and SQLite has a single writer.
    lang = await context.read(chats.active_language, chat.id)
    if lang is None:
        lang = await context.write(chats.register, chat.id, chat_type, user_lang)
    return ChatInfo(chat.id, lang, chat.type == "private")


async def read_language(update: Update, context: SitrepContext) -> str:
    """The chat's language without registering the chat: its stored one, else the sender's."""
    chat, user = update.effective_chat, update.effective_user
    stored = None
    if chat is not None:
        stored = await context.read(chats.active_language, chat.id)
    return stored or language_of(user.language_code if user else None)


async def query_of(update: Update, context: SitrepContext) -> str | None:
    """The command's free text; None, once the user is told, when it is too long to be a place
    (nothing else is done with it: no search, no write)."""
    query = " ".join(context.args or [])
    if len(query) <= MAX_QUERY:
        return query
    lang = await read_language(update, context)
    await reply(update, t(lang, "query.too_long", n=len(query), max=MAX_QUERY))
    return None


def tapped(update: Update, tap: type[C]) -> C:
    """The tap's data as ``tap``; its handler's pattern (``tap.pattern``) let only such in."""
    query = update.callback_query
    assert query is not None and isinstance(query.data, str)
    return tap.unpack(query.data)


async def answered_region_tap(
    update: Update, context: SitrepContext, tap: type[RegionTap]
) -> tuple[str, ChatInfo]:
    """A read-only region button (``/latest``, ``/history``): its region and the chat, with the
    tap answered."""
    query = update.callback_query
    assert query is not None
    region = tapped(update, tap).region
    info = await chat_info(update, context)
    await query.answer()
    return region, info


async def expired(update: Update, context: SitrepContext) -> None:
    """A button no handler took: forged, or from an older version. Say so (and which command
    gives fresh buttons of its kind), change nothing."""
    query = update.callback_query
    assert query is not None
    lang = await read_language(update, context)
    command = outdated_command(query.data) if isinstance(query.data, str) else None
    text = t(lang, "tap.outdated", command=command) if command else t(lang, "tap.expired")
    await query.answer(text)


async def allowed_tap(
    update: Update, context: SitrepContext
) -> tuple[CallbackQuery, str, ChatInfo] | None:
    """A button tap that may change the chat: (query, its data, chat), or None when refused."""
    query = update.callback_query
    assert query is not None and query.data is not None
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return None
    return query, query.data, info


async def may_change(update: Update, context: SitrepContext, info: ChatInfo) -> bool:
    """Private chats: always. Groups: only administrators and the creator (or the group itself
    posting anonymously). Others get a polite refusal."""
    if info.private:
        return True
    message = update.effective_message
    sender = message.sender_chat if message is not None else None
    if sender is not None and sender.id == info.id:
        return True
    user = update.effective_user
    allowed = False
    if user is not None:
        member = await context.bot.get_chat_member(info.id, user.id)
        allowed = member.status in ADMIN_STATUSES
    if not allowed:
        text = t(info.lang, "group.admins_only")
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        else:
            await reply(update, text)
    return allowed


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send ``text`` (HTML) to the update's chat, split under the limit; markup on the last."""
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_html(text)
    sent: Message | None = None
    for i, part in enumerate(parts):
        sent = await chat.send_message(
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if i == len(parts) - 1 else None,
            disable_web_page_preview=True,
        )
    return sent


def region_keyboard(
    lang: str,
    tap: type[RegionTap],
    regions: Sequence[str] | None = None,
    marked: Sequence[str] = (),
    columns: int = 2,
) -> InlineKeyboardMarkup:
    """A grid of region buttons, each tapping ``tap(code)``."""
    codes = list(regions) if regions is not None else sorted_regions(lang)
    buttons = [
        InlineKeyboardButton(
            ("✅ " if code in marked else "") + t(lang, f"region.{code}"),
            callback_data=tap(code).pack(),
        )
        for code in codes
    ]
    rows = [buttons[i : i + columns] for i in range(0, len(buttons), columns)]
    return InlineKeyboardMarkup(rows)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the tapped message (HTML); a repeated tap that changes nothing is not an error."""
    try:
        await query.edit_message_text(
            split_html(text)[0],
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )
    except BadRequest as err:
        if "not modified" not in str(err).lower():
            raise
