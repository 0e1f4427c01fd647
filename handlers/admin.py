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
from functools import partial
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n import catalog, language_of, t
from bot.latest import fmt_num, fmt_time, is_stale
from handlers.common import db, edit, reply, svc, tz
from storage import crud

CB: Final = "adm"  # adm:bc:<token>:ok|no
CB_PATTERN: Final = rf"^{CB}:bc:[0-9a-f]{{8}}:(ok|no)$"
PENDING: Final = "admin_broadcast"  # chat_data key: {"token", "text"}
PSEUDO_CHANNEL: Final = "sitrep_admin"
KIND: Final = "broadcast"
ERROR_SHOWN: Final = 80
PROGRESS_EVERY_S = 2.0  # tests shorten it
PROGRESS_FOR: Final = timedelta(hours=1)  # report whatever stands after this long


def _is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user, chat = update.effective_user, update.effective_chat
    admins = svc(context).settings.admin_ids
    return user is not None and chat is not None and chat.type == "private" and user.id in admins


def _lang_of(session: Session, chat_id: int) -> str | None:
    chat = crud.get_chat(session, chat_id)
    return chat.language if chat is not None else None


async def _lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The chat's language if known, else the sender's; never registers the chat."""
    chat, user = update.effective_chat, update.effective_user
    known = None
    if chat is not None:
        known = await db(context, partial(_lang_of, chat_id=chat.id), readonly=True)
    return known or language_of(user.language_code if user else None)


# ---- report ------------------------------------------------------------------------------


def _source_line(lang: str, row: crud.SourceRow, now: datetime, zone: ZoneInfo) -> str:
    def when(at: datetime | None) -> str:
        return fmt_time(lang, at, now, zone) if at is not None else t(lang, "admin.never")

    values: dict[str, Any] = {
        "channel": html.escape(row.username),
        "polled": when(row.last_poll_at),
        "post": when(row.last_post_at),
        "stale": t(lang, "admin.stale") if is_stale(row, now) else "",
    }
    if row.last_poll_at is None:
        return t(lang, "admin.source_never", channel=values["channel"], stale=values["stale"])
    if row.last_poll_ok is False:
        error = (row.last_error or "?").replace("\n", " ")
        short = error if len(error) <= ERROR_SHOWN else error[: ERROR_SHOWN - 1] + "…"
        return t(
            lang, "admin.source_error", errors=row.consecutive_errors, error=html.escape(short),
            **values,
        )  # fmt: skip
    return t(lang, "admin.source_ok", **values)


def _untrusted_lines(session: Session, lang: str, now: datetime, zone: ZoneInfo) -> list[str]:
    rows = crud.untrusted_sources(session, exclude=(PSEUDO_CHANNEL,))
    if not rows:
        return []
    lines = ["", t(lang, "admin.untrusted", n=len(rows))]
    for row in rows:
        why = "admin.why_unconfirmed" if row.enabled else "admin.why_unregistered"
        post = fmt_time(lang, row.last_post_at, now, zone) if row.last_post_at else "—"
        lines.append(
            t(
                lang,
                "admin.untrusted_item",
                channel=html.escape(row.username),
                why=t(lang, why),
                posts=fmt_num(lang, row.posts),
                post=post,
            )
        )
    return lines


def _report(session: Session, lang: str, now: datetime, zone: ZoneInfo) -> str:
    sources = crud.sources_health(session)
    lines = [t(lang, "admin.title", time=fmt_time(lang, now, now, zone)), ""]
    lines.append(t(lang, "admin.sources", n=len(sources)))
    lines += [_source_line(lang, s, now, zone) for s in sources] or [t(lang, "admin.no_sources")]
    lines += _untrusted_lines(session, lang, now, zone)
    totals = crud.chat_totals(session)
    lines += ["", t(lang, "admin.subscribers", active=fmt_num(lang, totals.active),
                    groups=fmt_num(lang, totals.groups))]  # fmt: skip
    regions = crud.subscribers_by_region(session)
    lines += [
        t(
            lang,
            "admin.region",
            region=html.escape(catalog(lang).get(f"region.{r}", r)),
            n=fmt_num(lang, n),
        )
        for r, n in regions
    ] or [t(lang, "admin.no_subscribers")]
    counts = {k: fmt_num(lang, v) for k, v in crud.outbox_counts(session).items()}
    lines += ["", t(lang, "admin.outbox", **counts)]
    return "\n".join(lines)


async def admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/admin [broadcast <text>]: the report, or a broadcast preview; admins only."""
    lang = await _lang(update, context)
    if not _is_admin(update, context):
        await reply(update, t(lang, "admin.unknown"))
        return
    if context.args and context.args[0].lower() == "broadcast":
        await _preview(update, context, lang)
        return
    now = svc(context).clock()
    text = await db(context, partial(_report, lang=lang, now=now, zone=tz(context)), readonly=True)
    await reply(update, text)


# ---- broadcast ---------------------------------------------------------------------------


def _broadcast_text(update: Update) -> str:
    """What follows ``/admin broadcast``, line breaks kept."""
    message = update.effective_message
    parts = (message.text or "").split(None, 2) if message is not None else []
    return parts[2].strip() if len(parts) > 2 else ""


async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    text = _broadcast_text(update)
    if not text or context.chat_data is None:
        await reply(update, t(lang, "admin.bc_usage"))
        return
    token = secrets.token_hex(4)
    context.chat_data[PENDING] = {"token": token, "text": text}  # a newer preview voids older
    n = await db(context, crud.active_chat_count, readonly=True)
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "admin.bc_confirm"), callback_data=f"{CB}:bc:{token}:ok"),
                InlineKeyboardButton(t(lang, "admin.bc_cancel"), callback_data=f"{CB}:bc:{token}:no"),
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
    data = crud.EventData(KIND, [], summary=text[:200])
    [event] = crud.replace_events_for_post(session, post.id, [data], now=now).created
    happening = crud.add_happening(session, KIND, "UA", now, ended_at=now, now=now)
    assert event.id is not None and happening.id is not None
    chats = crud.active_chats(session)
    texts = {lang: t(lang, "admin.bc_message", text=html.escape(text)) for _, lang in chats}
    live = crud.add_live(session, happening.id, 0, [(c, texts[lang]) for c, lang in chats])
    rows = [(event.id, chat_id, live_id, 1) for chat_id, live_id in live.items()]
    return Staged(event.id, crud.enqueue_live(session, rows, now=now))


async def broadcast_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm or Cancel under a preview; only the current preview's buttons, only admins."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = await _lang(update, context)
    token, choice = query.data.split(":")[2:]
    pending = context.chat_data.get(PENDING) if context.chat_data is not None else None
    if not _is_admin(update, context) or pending is None or pending["token"] != token:
        await query.answer(t(lang, "admin.bc_stale"), show_alert=True)
        return
    assert context.chat_data is not None
    del context.chat_data[PENDING]  # before anything is awaited: a second tap finds nothing
    await query.answer()
    if choice == "no":
        await edit(query, t(lang, "admin.bc_cancelled"))
        return
    now = svc(context).clock()
    staged = await db(context, partial(_stage, text=pending["text"], now=now))
    svc(context).pipeline.sink.wake()
    await edit(query, t(lang, "admin.bc_queued", n=fmt_num(lang, staged.chats)))
    if update.effective_chat is not None:
        _watch(context, staged, update.effective_chat.id, lang)


def _watch(context: ContextTypes.DEFAULT_TYPE, staged: Staged, chat: int, lang: str) -> None:
    if context.job_queue is None:
        return
    data = {"event_id": staged.event_id, "lang": lang, "until": svc(context).clock() + PROGRESS_FOR}
    context.job_queue.run_repeating(
        broadcast_progress,
        interval=PROGRESS_EVERY_S,
        first=PROGRESS_EVERY_S,
        chat_id=chat,
        data=data,
        name=f"admin-broadcast-{staged.event_id}",
    )


async def broadcast_progress(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue: once the broadcast's outbox rows are all finished, report to the admin."""
    job = context.job
    assert job is not None and isinstance(job.data, dict) and job.chat_id is not None
    data = job.data
    counts = await db(
        context, partial(crud.outbox_counts, event_id=data["event_id"]), readonly=True
    )
    open_rows = counts["pending"] + counts["sending"] + counts["failed"]
    if open_rows and svc(context).clock() < data["until"]:
        return
    job.schedule_removal()
    lang = data["lang"]
    total = sum(counts.values())
    text = t(lang, "admin.bc_done", sent=fmt_num(lang, counts["sent"]),
             total=fmt_num(lang, total), failed=fmt_num(lang, total - counts["sent"]))  # fmt: skip
    await context.bot.send_message(job.chat_id, text, parse_mode="HTML")
