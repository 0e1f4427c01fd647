"""The application factory: a PTB ``Application`` with Sitrep's services and handlers."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.i18n import LANGUAGES, t
from bot.services import Services
from handlers import (
    admin,
    callbacks,
    channel_posts,
    digests,
    info,
    maps,
    membership,
    settings,
    subscriptions,
    towns,
)
from handlers.common import expired
from handlers.context import CONTEXT_TYPES, SERVICES, SitrepContext
from handlers.updates import PerChatUpdates

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.CHANNEL_POST,
    Update.EDITED_CHANNEL_POST,
    Update.MY_CHAT_MEMBER,
]
COMMANDS: Final = (
    "start",
    "subscribe",
    "unsubscribe",
    "regions",
    "latest",
    "status",
    "map",
    "history",
    "settings",
    "help",
    "stop",
)


async def set_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """``setMyCommands`` in Ukrainian (the default) and English."""
    for lang in LANGUAGES:
        commands = [BotCommand(c, t(lang, f"command.{c}")) for c in COMMANDS]
        code = None if lang == "uk" else lang
        await app.bot.set_my_commands(commands, language_code=code)


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    try:
        await set_commands(app)
    except TelegramError:  # never keep the bot from starting over its menu
        logger.exception("set_my_commands failed")


async def _on_error(update: object, context: SitrepContext) -> None:
    logger.error("handler failed", exc_info=context.error)


def build_application(
    svc: Services,
    builder: ApplicationBuilder | None = None,  # type: ignore[type-arg]
    *,
    rate_limit: bool = True,
    digests_job: bool = True,
) -> Application:  # type: ignore[type-arg]
    """Build the bot. ``builder`` lets tests and the demo point it at a Bot API stand-in.

    ``rate_limit`` installs PTB's ``AIORateLimiter`` (Telegram's flood limits, retries on 429);
    ``digests_job`` schedules the per-minute daily-digest job on the JobQueue. Chats are
    served side by side, each chat's updates in order (:class:`PerChatUpdates`).
    """
    if builder is None:
        token = svc.settings.bot_token
        if token is None:
            raise ValueError("SITREP_BOT_TOKEN is not set")
        builder = (
            ApplicationBuilder()
            .token(token.get_secret_value())
            .base_url(svc.settings.bot_api_base_url)
        )
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    builder = builder.context_types(CONTEXT_TYPES).concurrent_updates(PerChatUpdates())
    app = builder.post_init(_post_init).build()
    app.bot_data[SERVICES] = svc
    add_handlers(app)
    if digests_job:
        digests.schedule_digests(app)
    return app


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, channel_posts.channel_post))
    commands = {
        "start": subscriptions.start,
        "help": subscriptions.help_command,
        "subscribe": subscriptions.subscribe_command,
        "unsubscribe": subscriptions.unsubscribe_command,
        "latest": info.latest,
        "regions": info.regions,
        "status": info.status,
        "map": maps.map_command,
        "history": maps.history_command,
        "settings": settings.settings,
        "stop": settings.stop,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=~filters.UpdateType.EDITED))
    taps = [
        (callbacks.Subscribe.pattern, subscriptions.subscribe_tap),
        (callbacks.Unsubscribe.pattern, subscriptions.unsubscribe_tap),
        (callbacks.ShowLatest.pattern, info.latest_tap),
        (callbacks.ShowHistory.pattern, maps.history_tap),
        (callbacks.any_of(*callbacks.SETTINGS), settings.settings_tap),
        (callbacks.Stop.pattern, settings.stop_tap),
        (callbacks.Broadcast.pattern, admin.broadcast_tap),
        (callbacks.FollowTown.pattern, towns.town_tap),
    ]
    for pattern, callback in taps:
        app.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    app.add_handler(CommandHandler("admin", admin.admin, filters=~filters.UpdateType.EDITED))
    app.add_handler(CallbackQueryHandler(expired))  # any button no handler above takes
    app.add_handler(ChatMemberHandler(membership.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    private = filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED
    # a command nobody above took: help; plain text naming a place: an offer to subscribe
    app.add_handler(MessageHandler(private & filters.COMMAND, towns.unknown_command))
    app.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & ~filters.FORWARDED, towns.offer)
    )
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.FORWARDED & ~filters.COMMAND,
            channel_posts.forwarded_post,
        ),
        group=1,
    )
    app.add_error_handler(_on_error)


async def run_until(
    app: Application,  # type: ignore[type-arg]
    stop: asyncio.Event,
) -> None:
    """Run ``app`` with long polling until ``stop`` is set, then shut down cleanly.

    For ``sitrep run``: start the source service next to it in the same event loop.
    """
    async with app:
        if app.post_init is not None:  # run_polling() would call it; we run the steps ourselves
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
        try:
            await stop.wait()
        finally:
            await app.updater.stop()
            await app.stop()
