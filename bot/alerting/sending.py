"""One send or edit through the Bot API, and the dispatcher's counters.

Kept apart from :mod:`bot.alerting.dispatcher` (which decides *when* and *what happens next*):
this decides *how* a message reaches Telegram — split past 4,096 characters, no link preview,
an edit that finds its message gone is sent anew.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, LinkPreviewOptions
from telegram.error import BadRequest, RetryAfter

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


async def edit(bot: Bot, job: Job, message_id: int, silent: bool) -> tuple[int, str]:
    """Bring the message up to date: (its id, ``edited`` | ``unchanged`` | ``sent`` anew)."""
    text = split_html(job.text)[0] if u16len(job.text) > MAX_LEN else job.text
    try:
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
