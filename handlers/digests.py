"""The daily digest job: one JobQueue job a minute sends to the chats whose digest time it is.

Minutes are tracked in the database (``job_marks``), each claimed before it is sent, so a late
or skipped run catches up (up to :data:`CATCH_UP` minutes) and a duplicate run sends nothing
twice — also across instances: a standby elected leader carries on from the minute its
predecessor reached, and a minute both run (a handover within it) goes out from one only.
A minute is sent at most once: an instance that dies mid-batch leaves the rest of it unsent.
Each minute's chats are delivered by a background task, so a big batch never delays the next
minute's run.

A chat that asked for it (``/settings``) gets the map of the 24 hours with its digest: the
digest as the photo's caption when it fits, else the photo and then the text. The map is the
same for every chat of a language: rendered once per minute's batch, uploaded once, and sent
to the rest by Telegram's ``file_id``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.alerting.photos import fits_caption
from bot.digest import digest_map, digest_text, due_digests
from bot.html_split import split_html
from handlers.context import SitrepContext
from storage import crud

logger = logging.getLogger(__name__)
JOB_NAME: Final = "digest"
TASKS_KEY: Final = "digest_tasks"
CATCH_UP: Final = 15  # minutes


def minutes_due(last: datetime | None, now_local: datetime) -> list[datetime]:
    """Local minutes not yet processed, oldest first (at most :data:`CATCH_UP`)."""
    current = now_local.replace(second=0, microsecond=0)
    if last is None:
        return [current]
    out: list[datetime] = []
    step = current
    while step > last and len(out) < CATCH_UP:
        out.append(step)
        step -= timedelta(minutes=1)
    return out[::-1]


async def digest_tick(context: SitrepContext) -> None:
    """The per-minute job callback: start delivery for every minute not yet handled."""
    zone = context.tz
    now = context.clock()
    mark = await context.read(crud.job_mark, JOB_NAME)
    last = None if mark is None else datetime.fromtimestamp(mark * 60, zone)
    tasks: set[asyncio.Task[int]] = context.bot_data.setdefault(TASKS_KEY, set())
    for minute in minutes_due(last, now.astimezone(zone)):
        if not await context.write(crud.claim_slot, JOB_NAME, int(minute.timestamp()) // 60):
            continue  # another instance has it
        task = context.application.create_task(
            send_digests(context, minute.strftime("%H:%M"), now, zone), name="digest"
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)


async def send_digests(context: SitrepContext, hhmm: str, now: datetime, zone: ZoneInfo) -> int:
    """Send the digests due at local ``hhmm``; returns how many chats got one."""
    due = await context.read(due_digests, hhmm)
    sent = 0
    maps: dict[str, bytes | str | None] = {}  # language -> PNG, then Telegram's file id
    for chat, regions in due:
        text = await context.read(digest_text, regions, chat.topics, now, chat.language, zone)
        if text is None:
            continue  # nothing happened: nothing is sent
        try:
            if chat.digest_map and chat.language not in maps:
                maps[chat.language] = await context.read(digest_map, now, chat.language, zone)
            photo = maps.get(chat.language) if chat.digest_map else None
            if photo is not None:
                maps[chat.language] = await _send_photo(context, chat.id, photo, text)
            if photo is None or not fits_caption(text):
                for part in split_html(text):
                    await context.bot.send_message(
                        chat.id, part, parse_mode=ParseMode.HTML, disable_web_page_preview=True
                    )
            sent += 1
        except Forbidden:
            await context.write(crud.deactivate_chat, chat.id)
        except TelegramError:
            logger.exception("digest.send_failed", extra={"chat_id": chat.id})
    logger.info("digest.sent", extra={"minute": hhmm, "due": len(due), "sent": sent})
    return sent


async def _send_photo(
    context: SitrepContext, chat_id: int, photo: bytes | str, text: str
) -> bytes | str:
    """The map, with the digest as its caption if it fits; the file id to send it by next."""
    caption = text if fits_caption(text) else None
    msg = await context.bot.send_photo(
        chat_id, photo, caption=caption, parse_mode=ParseMode.HTML if caption else None
    )
    return msg.photo[-1].file_id if msg.photo else photo


def schedule_digests(app: Application) -> None:  # type: ignore[type-arg]
    """One job a minute, just after the start of each minute.

    A run missed while the JobQueue was paused (a standby) is run at once when it resumes (no
    misfire grace limit), once however many were missed (coalesced): a new leader catches up
    at its election, and the claimed minutes keep that from repeating anything."""
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    now = datetime.now()
    first = 60.5 - now.second - now.microsecond / 1e6
    app.job_queue.run_repeating(
        digest_tick,
        interval=60,
        first=first,
        name=JOB_NAME,
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )
