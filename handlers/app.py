"""The application factory: a PTB ``Application`` with Sitrep's services and handlers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters

from bot.services import Services
from handlers import channel_posts

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.CHANNEL_POST,
    Update.EDITED_CHANNEL_POST,
    Update.MY_CHAT_MEMBER,
]


def build_application(svc: Services, builder: ApplicationBuilder | None = None) -> Application:  # type: ignore[type-arg]
    """Build the bot. ``builder`` lets tests and the demo point it at a Bot API stand-in."""
    if builder is None:
        token = svc.settings.bot_token
        if token is None:
            raise ValueError("SITREP_BOT_TOKEN is not set")
        builder = ApplicationBuilder().token(token.get_secret_value()).base_url(
            svc.settings.bot_api_base_url
        )
    app = builder.build()
    app.bot_data["services"] = svc
    app.add_handler(
        MessageHandler(filters.UpdateType.CHANNEL_POSTS, channel_posts.channel_post)
    )
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.FORWARDED & ~filters.COMMAND,
            channel_posts.forwarded_post,
        ),
        group=1,
    )
    return app
