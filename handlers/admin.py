"""/admin: the operator's report and broadcasts, for ``settings.admin_ids`` in private chats only.

A broadcast goes through the durable path, like alerts: one synthetic post of the disabled
pseudo-channel ``sitrep_admin`` with one ``broadcast`` event (no regions, so no region view ever
shows it), one ``broadcast`` happening, a live message per active chat (its text in the chat's
language) and an outbox row each; the :class:`~bot.alerting.Dispatcher` delivers them with its
rate limits, retries, 403 handling and crash safety. Nothing is sent from the handler itself.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, cast

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import JobQueue

from bot import chats
from bot.admin_report import admin_report
from bot.i18n import language_of, t
from bot.latest import fmt_num
from handlers.callbacks import Broadcast
from handlers.common import edit, reply, tapped
from handlers.context import SitrepContext
from storage import crud
from storage.crud import live as crud_live
from storage.crud import outbox as crud_outbox
from storage.crud.events import EventData

PENDING: Final = "admin_broadcast"  # chat_data key: {"token", "text"}
PSEUDO_CHANNEL: Final = "sitrep_admin"
KIND: Final = "broadcast"
PROGRESS_EVERY_S = 2.0  # tests shorten it
PROGRESS_FOR: Final = timedelta(hours=1)  # report whatever stands after this long


def _is_admin(update: Update, context: SitrepContext) -> bool:
    user, chat = update.effective_user, update.effective_chat
    admins = context.services.settings.admin_ids
    return user is not None and chat is not None and chat.type == "private" and user.id in admins


async def _lang(update: Update, context: SitrepContext) -> str:
    """The chat's language if known, else the sender's; never registers the chat."""
    chat, user = update.effective_chat, update.effective_user
    known = None
    if chat is not None:
        known = await context.read(chats.stored_language, chat.id)
    return known or language_of(user.language_code if user else None)


async def admin(update: Update, context: SitrepContext) -> None:
    """/admin [broadcast <text>]: the report, or a broadcast preview; admins only."""
    lang = await _lang(update, context)
    if not _is_admin(update, context):
        await reply(update, t(lang, "admin.unknown"))
        return
    if context.args and context.args[0].lower() == "broadcast":
        await _preview(update, context, lang)
        return
    now, zone = context.clock(), context.tz
    text = await context.read(admin_report, lang, now, zone, exclude=(PSEUDO_CHANNEL,))
    await reply(update, text)


# ---- broadcast ---------------------------------------------------------------------------


def _broadcast_text(update: Update) -> str:
    """What follows ``/admin broadcast``, line breaks kept."""
    message = update.effective_message
    parts = (message.text or "").split(None, 2) if message is not None else []
    return parts[2].strip() if len(parts) > 2 else ""


async def _preview(update: Update, context: SitrepContext, lang: str) -> None:
    text = _broadcast_text(update)
    if not text or context.chat_data is None:
        await reply(update, t(lang, "admin.bc_usage"))
        return
    token = secrets.token_hex(4)
    context.chat_data[PENDING] = {"token": token, "text": text}  # a newer preview voids older
    n = await context.read(crud.active_chat_count)
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "admin.bc_confirm"), callback_data=Broadcast(token, send=True).pack()),
                InlineKeyboardButton(t(lang, "admin.bc_cancel"), callback_data=Broadcast(token, send=False).pack()),
            ]
        ]
    )  # fmt: skip
    preview = t(lang, "admin.bc_preview", n=fmt_num(lang, n), text=html.escape(text))
    await reply(update, preview, buttons)


@dataclass(frozen=True, slots=True)
class Staged:
    event_id: int
    chats: int


def _stage(session: Session, text: str, now: datetime) -> Staged:
    """The synthetic post, event, happening, live messages and outbox rows, in one transaction."""
    channel = crud.upsert_channel(
        session, PSEUDO_CHANNEL, kind="news", title="Sitrep (admin)", enabled=False
    )
    assert channel.id is not None
    message_id = channel.last_seen_id + 1
    crud.advance_last_seen_id(session, channel.id, message_id)
    post, _ = crud.upsert_post(
        session, channel_id=channel.id, message_id=message_id, text=text, published_at=now, now=now
    )
    assert post.id is not None
    data = EventData(KIND, [], summary=text[:200])
    [event] = crud.replace_events_for_post(session, post.id, [data], now=now).created
    happening = crud_live.add_happening(session, KIND, "UA", now, ended_at=now, now=now)
    assert event.id is not None and happening.id is not None
    chats = crud.active_chats(session)
    texts = {lang: t(lang, "admin.bc_message", text=html.escape(text)) for _, lang in chats}
    live = crud_live.add_live(session, happening.id, 0, [(c, texts[lang]) for c, lang in chats])
    rows = [(event.id, chat_id, live_id, 1) for chat_id, live_id in live.items()]
    return Staged(event.id, crud_outbox.enqueue_live(session, rows, now=now))


async def broadcast_tap(update: Update, context: SitrepContext) -> None:
    """Confirm or Cancel under a preview; only the current preview's buttons, only admins."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = await _lang(update, context)
    tap = tapped(update, Broadcast)
    pending = context.chat_data.get(PENDING) if context.chat_data is not None else None
    if not _is_admin(update, context) or pending is None or pending["token"] != tap.token:
        await query.answer(t(lang, "admin.bc_stale"), show_alert=True)
        return
    assert context.chat_data is not None
    del context.chat_data[PENDING]  # before anything is awaited: a second tap finds nothing
    await query.answer()
    if not tap.send:
        await edit(query, t(lang, "admin.bc_cancelled"))
        return
    staged = await context.write(_stage, pending["text"], context.clock())
    context.services.pipeline.sink.wake()
    await edit(query, t(lang, "admin.bc_queued", n=fmt_num(lang, staged.chats)))
    if update.effective_chat is not None:
        _watch(context, staged, update.effective_chat.id, lang)


def _watch(context: SitrepContext, staged: Staged, chat: int, lang: str) -> None:
    jobs = cast("JobQueue[SitrepContext] | None", context.job_queue)  # PTB leaves it generic
    if jobs is None:
        return
    data = {"event_id": staged.event_id, "lang": lang, "until": context.clock() + PROGRESS_FOR}
    jobs.run_repeating(
        broadcast_progress,
        interval=PROGRESS_EVERY_S,
        first=PROGRESS_EVERY_S,
        chat_id=chat,
        data=data,
        name=f"admin-broadcast-{staged.event_id}",
    )


async def broadcast_progress(context: SitrepContext) -> None:
    """JobQueue: once the broadcast's outbox rows are all finished, report to the admin."""
    job = context.job
    assert job is not None and isinstance(job.data, dict) and job.chat_id is not None
    data = job.data
    counts = await context.read(crud.outbox_counts, event_id=data["event_id"])
    open_rows = counts["pending"] + counts["sending"] + counts["failed"]
    if open_rows and context.clock() < data["until"]:
        return
    job.schedule_removal()
    lang = data["lang"]
    total = sum(counts.values())
    text = t(lang, "admin.bc_done", sent=fmt_num(lang, counts["sent"]),
             total=fmt_num(lang, total), failed=fmt_num(lang, total - counts["sent"]))  # fmt: skip
    await context.bot.send_message(job.chat_id, text, parse_mode="HTML")
