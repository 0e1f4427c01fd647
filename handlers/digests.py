"""The daily digest job: one JobQueue job a minute sends to the chats whose digest time it is.

Minutes are tracked in ``bot_data`` so a late or skipped run catches up (up to
:data:`CATCH_UP` minutes) and a duplicate run sends nothing twice. Each minute's chats are
delivered by a background task, so a big batch never delays the next minute's run.

A chat that asked for it (``/settings``) gets the map of the 24 hours with its digest: the
digest as the photo's caption when it fits, else the photo and then the text. The map is the
same for every chat of a language: rendered once per minute's batch, uploaded once, and sent
to the rest by Telegram's ``file_id``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Final, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.alerting.photos import fits_caption
from bot.digest import digest_map, digest_text
from bot.html_split import split_html
from handlers.common import known_regions, svc, tz
from storage import crud
from storage.db import session_scope

logger = logging.getLogger(__name__)
T = TypeVar("T")
JOB_NAME: Final = "digest"
LAST_KEY: Final = "digest_last_minute"
TASKS_KEY: Final = "digest_tasks"
CATCH_UP: Final = 15  # minutes


def _in_session(engine: Engine, fn: Callable[[Session], T], readonly: bool = True) -> T:
    with session_scope(engine, readonly=readonly) as session:
        return fn(session)


def _due(session: Session, hhmm: str) -> list[tuple[crud.DigestChat, list[str]]]:
    chats = crud.digest_chats(session, hhmm)
    regions = crud.regions_of_chats(session, [c.id for c in chats])
    return [(c, known_regions(regions[c.id])) for c in chats]


def _deactivate(session: Session, chat_id: int) -> bool:
    return crud.deactivate_chat(session, chat_id)


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


async def digest_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The per-minute job callback: start delivery for every minute not yet handled."""
    zone = tz(context)
    now = svc(context).clock()
    minutes = minutes_due(context.bot_data.get(LAST_KEY), now.astimezone(zone))
    if not minutes:
        return
    context.bot_data[LAST_KEY] = minutes[-1]
    tasks: set[asyncio.Task[int]] = context.bot_data.setdefault(TASKS_KEY, set())
    for minute in minutes:
        task = context.application.create_task(
            send_digests(context, minute.strftime("%H:%M"), now, zone), name="digest"
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)


async def send_digests(
    context: ContextTypes.DEFAULT_TYPE, hhmm: str, now: datetime, zone: ZoneInfo
) -> int:
    """Send the digests due at local ``hhmm``; returns how many chats got one."""
    engine = svc(context).engine
    due = await asyncio.to_thread(_in_session, engine, partial(_due, hhmm=hhmm))
    sent = 0
    maps: dict[str, bytes | str | None] = {}  # language -> PNG, then Telegram's file id
    for chat, regions in due:
        build = partial(
            digest_text,
            regions=regions,
            topics_mask=chat.topics,
            now=now,
            lang=chat.language,
            tz=zone,
        )
        text = await asyncio.to_thread(_in_session, engine, build)
        if text is None:
            continue  # nothing happened: nothing is sent
        try:
            if chat.digest_map and chat.language not in maps:
                build_map = partial(digest_map, now=now, lang=chat.language, tz=zone)
                maps[chat.language] = await asyncio.to_thread(_in_session, engine, build_map)
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
            deactivate = partial(_deactivate, chat_id=chat.id)
            await asyncio.to_thread(_in_session, engine, deactivate, False)
        except TelegramError:
            logger.exception("digest.send_failed", extra={"chat_id": chat.id})
    logger.info("digest.sent", extra={"minute": hhmm, "due": len(due), "sent": sent})
    return sent


async def _send_photo(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, photo: bytes | str, text: str
) -> bytes | str:
    """The map, with the digest as its caption if it fits; the file id to send it by next."""
    caption = text if fits_caption(text) else None
    msg = await context.bot.send_photo(
        chat_id, photo, caption=caption, parse_mode=ParseMode.HTML if caption else None
    )
    return msg.photo[-1].file_id if msg.photo else photo


def schedule_digests(app: Application) -> None:  # type: ignore[type-arg]
    """One job a minute, just after the start of each minute."""
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    now = datetime.now()
    first = 60.5 - now.second - now.microsecond / 1e6
    app.job_queue.run_repeating(digest_tick, interval=60, first=first, name=JOB_NAME)
