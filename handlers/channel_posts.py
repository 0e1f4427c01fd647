"""Posts that reach the bot through the Bot API: channels it administers, and admins' forwards.

Both enter the same pipeline as the public-preview source. Anyone can make the bot an admin of
a channel of their own, so a channel post is only parsed when its channel is trusted (registered
with ``sitrep channels add``, enabled, confirmed); a stranger's posts are stored for the operator
and alert nobody. An admin's forward is vouched for by that admin and is parsed whatever its
channel.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime

from telegram import Message, MessageOriginChannel, Update

from bot.i18n import language_of, t
from bot.pipeline import IncomingPost
from handlers.context import SitrepContext

logger = logging.getLogger(__name__)

# Message attribute → the ``media`` marker a post keeps (its caption stays its text).
_MEDIA = (("poll", "poll"), ("video", "video"), ("video_note", "video"), ("animation", "video"),
          ("photo", "photo"), ("voice", "audio"), ("audio", "audio"), ("document", "document"),
          ("sticker", "sticker"), ("location", "location"))  # fmt: skip


def text_and_media(message: Message) -> tuple[str, str | None]:
    """The post's text or caption (a poll's question), and what media it carries."""
    media = next((kind for attr, kind in _MEDIA if getattr(message, attr, None)), None)
    if media is not None and message.media_group_id:
        media = "album"
    text = message.text or message.caption or ""
    if not text and message.poll is not None:
        text = message.poll.question
    return text, media


async def channel_post(update: Update, context: SitrepContext) -> None:
    """``channel_post`` and ``edited_channel_post`` of a channel where the bot is admin."""
    message = update.channel_post or update.edited_channel_post
    if message is None or not message.chat.username:
        return
    text, media = text_and_media(message)
    post = IncomingPost(
        channel=message.chat.username,
        message_id=message.message_id,
        published_at=message.date.astimezone(UTC),
        text=text,
        edited_at=message.edit_date.astimezone(UTC) if message.edit_date else None,
        media=media,
    )
    await context.services.pipeline.ingest(message.chat.username, [post])


async def forwarded_post(update: Update, context: SitrepContext) -> None:
    """A configured admin forwards a channel post to the bot: ingest it as that channel's post."""
    message = update.effective_message
    user = update.effective_user
    svc = context.services
    if message is None or user is None or user.id not in svc.settings.admin_ids:
        return
    origin = message.forward_origin
    if not isinstance(origin, MessageOriginChannel) or not origin.chat.username:
        return
    text, media = text_and_media(message)
    post = IncomingPost(
        channel=origin.chat.username,
        message_id=origin.message_id,
        published_at=origin.date.astimezone(UTC) if origin.date else datetime.now(UTC),
        text=text,
        forwarded_from=origin.chat.username,
        vouched=True,
        media=media,
    )
    result = await svc.pipeline.ingest(origin.chat.username, [post])
    logger.info("forward.ingested", extra={"channel": origin.chat.username, "new": result.new})
    lang = language_of(user.language_code)
    channel = html.escape(origin.chat.username)
    if result.new or result.edited:
        events = result.events_created + result.events_updated
        ack = t(lang, "forward.ack", channel=channel, events=events)
    else:
        ack = t(lang, "forward.ack_seen", channel=channel)
    await message.reply_text(ack, parse_mode="HTML")
