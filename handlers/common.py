"""Helpers shared by the command handlers: DB calls, the chat's language, admin checks, replies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Final, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session
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
from telegram.ext import ContextTypes

from bot.geo.regions import REGIONS
from bot.geo.resolution import MAX_QUERY
from bot.html_split import split_html
from bot.i18n import language_of, t
from bot.i18n.collate import sort_key
from bot.services import Services, services
from storage import crud
from storage.db import session_scope

T = TypeVar("T")
ADMIN_STATUSES: Final = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})


def svc(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return services(context.bot_data)


def tz(context: ContextTypes.DEFAULT_TYPE) -> ZoneInfo:
    return ZoneInfo(svc(context).settings.timezone)


async def db(
    context: ContextTypes.DEFAULT_TYPE,
    fn: Callable[[Session], T],
    *,
    readonly: bool = False,
) -> T:
    """Run ``fn(session)`` in one short transaction on a worker thread."""
    engine = svc(context).engine

    def run() -> T:
        with session_scope(engine, readonly=readonly) as session:
            return fn(session)

    return await asyncio.to_thread(run)


@dataclass(frozen=True, slots=True)
class ChatInfo:
    id: int
    lang: str
    private: bool


def _known_language(session: Session, chat_id: int) -> str | None:
    chat = crud.get_chat(session, chat_id)
    return chat.language if chat is not None and chat.active else None


def _ensure(session: Session, chat_id: int, chat_type: str, user_lang: str) -> str:
    chat = crud.get_chat(session, chat_id)
    if chat is None or not chat.active:
        lang = chat.language if chat is not None else user_lang
        chat = crud.upsert_chat(session, chat_id, type=chat_type, language=lang)
    return chat.language


async def chat_info(update: Update, context: ContextTypes.DEFAULT_TYPE) -> ChatInfo:
    """The chat, registered on first contact with the sender's language (uk or en)."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None
    user_lang = language_of(user.language_code if user else None)
    chat_type = chat.type if chat.type in ("private", "group", "supergroup", "channel") else "group"
    # A read first: most commands come from known chats, and SQLite has a single writer.
    lang = await db(context, partial(_known_language, chat_id=chat.id), readonly=True)
    if lang is None:
        ensure = partial(_ensure, chat_id=chat.id, chat_type=chat_type, user_lang=user_lang)
        lang = await db(context, ensure)
    return ChatInfo(chat.id, lang, chat.type == "private")


async def read_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The chat's language without registering the chat: its stored one, else the sender's."""
    chat, user = update.effective_chat, update.effective_user
    stored = None
    if chat is not None:
        stored = await db(context, partial(_known_language, chat_id=chat.id), readonly=True)
    return stored or language_of(user.language_code if user else None)


async def query_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The command's free text; None, once the user is told, when it is too long to be a place
    (nothing else is done with it: no search, no write)."""
    query = " ".join(context.args or [])
    if len(query) <= MAX_QUERY:
        return query
    lang = await read_language(update, context)
    await reply(update, t(lang, "query.too_long", n=len(query), max=MAX_QUERY))
    return None


def known_regions(codes: Sequence[str]) -> list[str]:
    """Only the 27 real regions (rows written before taps were checked may hold others)."""
    return [code for code in codes if code in REGIONS]


def tapped_region(update: Update) -> str | None:
    """The region of a ``<prefix>:<code>`` button, None unless it is one of the 27."""
    query = update.callback_query
    data = query.data if query is not None else None
    code = data.split(":", 1)[1] if data and ":" in data else None
    return code if code in REGIONS else None


async def answered_region_tap(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[str, ChatInfo] | None:
    """A read-only region button (``/latest``, ``/history``): its region and the chat, with the
    tap answered; None (and "expired") for a region we never offered."""
    query = update.callback_query
    assert query is not None
    region = tapped_region(update)
    if region is None:
        await expired(update, context)
        return None
    info = await chat_info(update, context)
    await query.answer()
    return region, info


async def expired(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button we never offered (forged, or from an older version): say so, change nothing."""
    query = update.callback_query
    assert query is not None
    await query.answer(t(await read_language(update, context), "tap.expired"))


async def allowed_tap(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[CallbackQuery, str, ChatInfo] | None:
    """A button tap that may change the chat: (query, its data, chat), or None when refused."""
    query = update.callback_query
    assert query is not None and query.data is not None
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return None
    return query, query.data, info


async def may_change(update: Update, context: ContextTypes.DEFAULT_TYPE, info: ChatInfo) -> bool:
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


def sorted_regions(lang: str) -> list[str]:
    """Region codes by their names in the chat's alphabet (Ukrainian order for uk)."""
    return sorted(REGIONS, key=lambda code: sort_key(t(lang, f"region.{code}"), lang))


def region_keyboard(
    lang: str,
    prefix: str,
    regions: Sequence[str] | None = None,
    marked: Sequence[str] = (),
    columns: int = 2,
) -> InlineKeyboardMarkup:
    """A grid of region buttons; ``callback_data`` is ``<prefix>:<code>`` (≤ 12 bytes)."""
    codes = list(regions) if regions is not None else sorted_regions(lang)
    buttons = [
        InlineKeyboardButton(
            ("✅ " if code in marked else "") + t(lang, f"region.{code}"),
            callback_data=f"{prefix}:{code}",
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
