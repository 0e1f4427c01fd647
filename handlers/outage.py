"""A command or a tap while the database is away gets a short "temporarily unavailable".

The PTB error handler: a handler that failed because the database cannot be reached (see
:func:`storage.db.database_unavailable`) is answered without touching the database — the
language comes from the sender's Telegram ``language_code``, since the chat's own setting
cannot be read — and logged as one warning line, no traceback. At most one such answer per
chat every :data:`NOTICE_EVERY_S` seconds, so a chat that keeps trying is not flooded. Any
other failure is logged with its traceback, as before.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Final

from telegram import Update
from telegram.error import TelegramError

from bot.i18n import language_of, t
from handlers.context import SitrepContext
from storage.db import database_unavailable

logger = logging.getLogger(__name__)
NOTICE_EVERY_S: Final = 30.0
NOTICED_KEY: Final = "db_outage_noticed"  # bot_data: chat id → monotonic time of the notice
MAX_TRACKED: Final = 10_000


def _due(context: SitrepContext, chat_id: int) -> bool:
    """Whether this chat may be told again; remembers that it is told now."""
    noticed: dict[int, float] = context.bot_data.setdefault(NOTICED_KEY, {})
    now = time.monotonic()
    last = noticed.get(chat_id)
    if last is not None and now - last < NOTICE_EVERY_S:
        return False
    if len(noticed) >= MAX_TRACKED:
        for key in [k for k, at in noticed.items() if now - at >= NOTICE_EVERY_S]:
            del noticed[key]
    noticed[chat_id] = now
    return True


def _answerable(update: object) -> bool:
    """Taps, and messages a person sent: a private message or a command in a group. Never a
    channel's post or a membership change — nobody there waits for an answer."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return False
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None or update.effective_chat.type == "channel":
        return False
    return update.effective_chat.type == "private" or (message.text or "").startswith("/")


async def _tell(update: Update, text: str) -> None:
    """A tap: the answer pops up (a message if the tap was answered already)."""
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(text, show_alert=True)
            return
        except TelegramError:
            pass
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text)


async def on_error(update: object, context: SitrepContext) -> None:
    """PTB's error handler for every update and job."""
    err = context.error
    if err is None or not database_unavailable(err):
        logger.error("handler failed", exc_info=err)
        return
    if not _answerable(update):  # a job, a channel post…: one line, nobody to tell
        logger.warning("database.unavailable", extra={"error": type(err).__name__})
        return
    assert isinstance(update, Update) and update.effective_chat is not None
    chat = update.effective_chat
    if not _due(context, chat.id):
        return
    user = update.effective_user
    lang = language_of(user.language_code if user else None)
    logger.warning(
        "handler.db_unavailable", extra={"chat_id": chat.id, "error": type(err).__name__}
    )
    with contextlib.suppress(TelegramError):
        await _tell(update, t(lang, "db.unavailable"))
