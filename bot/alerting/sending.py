"""One send or edit through the Bot API, and the dispatcher's counters.

Kept apart from :mod:`bot.alerting.dispatcher` (which decides *when* and *what happens next*):
this decides *how* a message reaches Telegram — split past 4,096 characters, no link preview,
an edit that finds its message gone is sent anew, a message with a picture goes out as the
photo's caption (or the photo, then the text), a caption is edited as a caption.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, LinkPreviewOptions
from telegram.error import BadRequest, RetryAfter

from bot.alerting.photos import CAPTION_MAX, PhotoStore, fits_caption
from bot.alerting.render import MAX_LEN, split_html, u16len
from storage.crud.live import Job

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
GONE = ("chat not found", "bot was blocked", "user is deactivated", "bot was kicked")


@dataclass
class DispatchStats:
    """Counters for logs, metrics and the benchmark."""

    sent: int = 0
    edited: int = 0
    unchanged: int = 0
    rate_limited: int = 0
    network_errors: int = 0
    dead: int = 0
    deactivated: int = 0
    expired: int = 0
    requeued: int = 0
    breaker_opened: int = 0


def retry_after_s(err: RetryAfter) -> float:
    with warnings.catch_warnings():  # int vs timedelta deprecation in PTB 22
        warnings.simplefilter("ignore")
        value = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def send_new(bot: Bot, job: Job, silent: bool) -> int:
    """Send the job's text as a new message (split if too long); the first part's id."""
    parts = split_html(job.text) if u16len(job.text) > MAX_LEN else [job.text]
    first: int | None = None
    for part in parts:
        msg = await bot.send_message(
            job.chat_id,
            part,
            parse_mode="HTML",
            link_preview_options=NO_PREVIEW,
            disable_notification=silent,
        )
        first = msg.message_id if first is None else first
    assert first is not None
    return first


async def send_with_photo(
    bot: Bot, photos: PhotoStore, job: Job, silent: bool, photo_sent: dict[int, int]
) -> tuple[int, bool]:
    """The job's text with its picture: (the id of the message that holds the text, whether
    that is the photo's caption). ``photo_sent`` (outbox id → photo message id) remembers a
    photo that went out before its text failed, so a retry sends only the text."""
    assert job.media_key is not None
    caption = fits_caption(job.text)
    if job.outbox_id not in photo_sent:
        msg = await photos.send(bot, job.media_key, job.chat_id, job.text if caption else None, silent)  # fmt: skip
        if msg is not None and caption:
            return msg.message_id, True
        if msg is not None:
            photo_sent[job.outbox_id] = msg.message_id
    message_id = await send_new(bot, job, silent)
    photo_sent.pop(job.outbox_id, None)
    return message_id, False


async def edit(bot: Bot, job: Job, message_id: int, silent: bool) -> tuple[int, str]:
    """Bring the message up to date: (its id, ``edited`` | ``unchanged`` | ``sent`` anew)."""
    text = split_html(job.text)[0] if u16len(job.text) > MAX_LEN else job.text
    try:
        if job.captioned:  # a photo's caption: cut to what a caption holds
            await bot.edit_message_caption(
                chat_id=job.chat_id,
                message_id=message_id,
                caption=text if fits_caption(text) else split_html(text, CAPTION_MAX)[0],
                parse_mode="HTML",
            )
        else:
            await bot.edit_message_text(
                text,
                chat_id=job.chat_id,
                message_id=message_id,
                parse_mode="HTML",
                link_preview_options=NO_PREVIEW,
            )
    except BadRequest as err:
        reason = str(err).lower()
        if "message is not modified" in reason:
            return message_id, "unchanged"
        if "message to edit not found" in reason or "message can't be edited" in reason:
            return await send_new(bot, job, silent), "sent"
        raise
    return message_id, "edited"
