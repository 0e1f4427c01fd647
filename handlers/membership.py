"""``my_chat_member``: blocked or kicked → stop delivering; added to a group → greet."""

from __future__ import annotations

from functools import partial

from sqlmodel import Session
from telegram import ChatMember, Update
from telegram.ext import ContextTypes

from bot.i18n import language_of, t
from handlers.common import db, reply
from storage import crud

GONE = frozenset({ChatMember.BANNED, ChatMember.LEFT})
PRESENT = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER})


def _deactivate(session: Session, chat_id: int) -> bool:
    return crud.deactivate_chat(session, chat_id)


def _activate(session: Session, chat_id: int, chat_type: str, lang: str) -> str:
    known = crud.get_chat(session, chat_id)
    chat = crud.upsert_chat(
        session, chat_id, type=chat_type, language=None if known is not None else lang
    )
    return chat.language


async def my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    new, old = change.new_chat_member.status, change.old_chat_member.status
    if new in GONE:
        await db(context, partial(_deactivate, chat_id=chat.id))
        return
    if new in PRESENT and old in GONE:
        chat_type = crud.chat_type_of(chat.type)
        lang = language_of(change.from_user.language_code if change.from_user else None)
        lang = await db(
            context, partial(_activate, chat_id=chat.id, chat_type=chat_type, lang=lang)
        )
        if chat.type in ("group", "supergroup"):
            await reply(update, t(lang, "group.hello"))
