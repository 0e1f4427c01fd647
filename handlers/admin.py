"""/admin: the operator's report and broadcasts, for ``settings.admin_ids`` in private chats only.

A broadcast goes through the durable path, like alerts: one synthetic post of the disabled
pseudo-channel ``sitrep_admin`` with one ``broadcast`` event (no regions, so no region view ever
shows it), one ``broadcast`` happening, a live message per active chat (its text in the chat's
language) and an outbox row each; the :class:`~bot.alerting.Dispatcher` delivers them with its
rate limits, retries, 403 handling and crash safety. Nothing is sent from the handler itself.
A ``broadcasts`` row, staged in the same transaction, remembers who asked; one JobQueue job
reports each broadcast once all its rows are final — also after a restart.
"""

from __future__ import annotations

import html
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, cast

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, JobQueue

from bot.admin_report import admin_report
from bot.i18n import t
from bot.latest import fmt_num
from handlers.callbacks import Broadcast
from handlers.common import edit, read_language, reply, tapped
from handlers.context import SitrepContext
from storage import crud
from storage.db import database_unavailable

logger = logging.getLogger(__name__)

PSEUDO_CHANNEL: Final = "sitrep_admin"
KIND: Final = "broadcast"
PROGRESS_EVERY_S = 2.0  # tests shorten it
PROGRESS_FOR: Final = timedelta(hours=1)  # report whatever stands after this long
REPORT_LEASE: Final = timedelta(minutes=2)  # a claim older than this: its sender died
REPORTS_JOB: Final = "admin-broadcast-reports"
REPORTS_FAILING: Final = "admin_reports_failing"  # bot_data: the last round met an outage
REPORTS_TOLD: Final = "admin_reports_told"  # bot_data: sent, not yet recorded (a DB blip)


def _is_admin(update: Update, context: SitrepContext) -> bool:
    user, chat = update.effective_user, update.effective_chat
    admins = context.services.settings.admin_ids
    return user is not None and chat is not None and chat.type == "private" and user.id in admins


async def admin(update: Update, context: SitrepContext) -> None:
    """/admin [broadcast <text>]: the report, or a broadcast preview; admins only."""
    lang = await read_language(update, context, inactive_too=True)
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
    if not text:
        await reply(update, t(lang, "admin.bc_usage"))
        return
    token = secrets.token_hex(4)
    assert update.effective_chat is not None
    # in the database, so a Confirm that reaches another instance finds it; a newer voids older
    await context.write(crud.put_draft, update.effective_chat.id, token, text, now=context.clock())
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


def _stage(session: Session, text: str, now: datetime, admin_chat: int, lang: str) -> Staged:
    """The synthetic post, event, happening, live messages, outbox rows and the broadcast row
    (what makes the completion report survive a restart), in one transaction."""
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
    data = crud.EventData(KIND, [], summary=text[:200])
    [event] = crud.replace_events_for_post(session, post.id, [data], now=now).created
    happening = crud.add_happening(session, KIND, "UA", now, ended_at=now, now=now)
    assert event.id is not None and happening.id is not None
    chats = crud.active_chats(session)
    texts = {lang: t(lang, "admin.bc_message", text=html.escape(text)) for _, lang in chats}
    live = crud.add_live(session, happening.id, 0, [(c, texts[lang]) for c, lang in chats])
    rows = [(event.id, chat_id, live_id, 1) for chat_id, live_id in live.items()]
    total = crud.enqueue_live(session, rows, now=now)
    crud.add_broadcast(session, event.id, admin_chat, lang, total, now=now)
    return Staged(event.id, total)


async def broadcast_tap(update: Update, context: SitrepContext) -> None:
    """Confirm or Cancel under a preview; only the current preview's buttons, only admins."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    lang = await read_language(update, context, inactive_too=True)
    tap = tapped(update, Broadcast)
    admin_chat = update.effective_chat.id
    text = None
    if _is_admin(update, context):  # taken at once: a second tap, anywhere, finds nothing
        text = await context.write(crud.take_draft, admin_chat, tap.token)
    if text is None:
        await query.answer(t(lang, "admin.bc_stale"), show_alert=True)
        return
    await query.answer()
    if not tap.send:
        await edit(query, t(lang, "admin.bc_cancelled"))
        return
    staged = await context.write(_stage, text, context.clock(), admin_chat, lang)
    context.services.pipeline.sink.wake()
    await edit(query, t(lang, "admin.bc_queued", n=fmt_num(lang, staged.chats)))


# ---- completion reports --------------------------------------------------------------------


def schedule_reports(app: Application) -> None:  # type: ignore[type-arg]
    """One job for every broadcast, past or future: it reads the broadcasts table, so a report
    still due after a restart goes out from the new process."""
    jobs = cast("JobQueue[SitrepContext] | None", app.job_queue)  # PTB leaves it generic
    assert jobs is not None, "install python-telegram-bot[job-queue]"
    jobs.run_repeating(
        broadcast_reports, interval=PROGRESS_EVERY_S, first=PROGRESS_EVERY_S, name=REPORTS_JOB
    )


def _report_text(report: crud.BroadcastReport) -> str:
    lang = report.language
    return t(lang, "admin.bc_done", sent=fmt_num(lang, report.sent),
             total=fmt_num(lang, report.total), failed=fmt_num(lang, report.failed))  # fmt: skip


async def broadcast_reports(context: SitrepContext) -> None:
    """JobQueue: report every broadcast whose outbox rows are all final (or that waited
    :data:`PROGRESS_FOR`) to the admin who sent it — claimed first, so exactly one sender."""
    now = context.clock()
    lease_before = now - REPORT_LEASE
    try:
        reports = await context.read(
            crud.due_reports,
            give_up_before=now - PROGRESS_FOR,
            lease_before=lease_before,
        )
    except Exception as err:
        if not database_unavailable(err):
            raise
        if not context.bot_data.get(REPORTS_FAILING):
            logger.warning("admin.reports_waiting", extra={"error": type(err).__name__})
        context.bot_data[REPORTS_FAILING] = True
        return
    context.bot_data[REPORTS_FAILING] = False
    told: set[int] = context.bot_data.setdefault(REPORTS_TOLD, set())
    for report in reports:
        claimed = await context.write(
            crud.claim_report, report.id, lease_before=lease_before, now=now
        )
        if not claimed:
            continue
        if report.id not in told:  # else sent already; only the record of it failed
            try:
                await context.bot.send_message(
                    report.admin_chat_id, _report_text(report), parse_mode="HTML"
                )
            except Forbidden:
                pass  # the admin blocked the bot: nobody to tell, never try again
            except TelegramError as err:
                logger.warning(
                    "admin.report_failed", extra={"broadcast": report.id, "error": str(err)}
                )
                await context.write(crud.release_report, report.id)
                continue
            told.add(report.id)
        await context.write(crud.finish_report, report, now=now)
        told.discard(report.id)
        logger.info(
            "admin.broadcast_reported",
            extra={"broadcast": report.id, "sent": report.sent, "total": report.total},
        )
