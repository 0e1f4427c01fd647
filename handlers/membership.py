"""``my_chat_member``: blocked or kicked → stop delivering; added to a group → greet."""

from __future__ import annotations

from telegram import ChatMember, Update

from bot import chats
from bot.i18n import language_of, t
from handlers.common import reply
from handlers.context import SitrepContext
from storage import crud

GONE = frozenset({ChatMember.BANNED, ChatMember.LEFT})
PRESENT = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER})


async def my_chat_member(update: Update, context: SitrepContext) -> None:
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    new, old = change.new_chat_member.status, change.old_chat_member.status
    if new in GONE:
        await context.write(crud.deactivate_chat, chat.id)
        return
    if new in PRESENT and old in GONE:
        chat_type = chat.type if chat.type in ("private", "group", "supergroup") else "channel"
        lang = language_of(change.from_user.language_code if change.from_user else None)
        lang = await context.write(chats.welcome, chat.id, chat_type, lang)
        if chat.type in ("group", "supergroup"):
            await reply(update, t(lang, "group.hello"))
