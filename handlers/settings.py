"""/settings (topics, quiet hours and whether threats ring in them, digest time and whether it
carries the map, language, other raions for a town-subscribed chat) and /stop (forget the
chat)."""

from __future__ import annotations

import html
from functools import partial
from typing import Any, Final

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n import LANGUAGES, t
from handlers.common import ChatInfo, allowed_tap, chat_info, db, edit, expired, may_change, reply
from storage import crud
from storage.models import TOPICS, Chat

# Quiet hours presets: (start, end) minutes since local midnight.
QUIET_PRESETS: Final = ((22 * 60, 7 * 60), (23 * 60, 8 * 60), (0, 6 * 60))
DIGEST_PRESETS: Final = ("07:00", "08:00", "09:00", "12:00", "20:00", "21:00")
PAGES: Final = ("main", "topics", "quiet", "digest", "lang")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _get(session: Session, chat_id: int) -> Chat | None:
    return crud.get_chat(session, chat_id)


def _set(session: Session, chat_id: int, values: dict[str, Any]) -> Chat | None:
    crud.set_chat_fields(session, chat_id, **values)
    return crud.get_chat(session, chat_id)


def _summary(lang: str, chat: Chat) -> str:
    on = [t(lang, f"topic.{name}") for i, name in enumerate(TOPICS) if chat.topics & (1 << i)]
    quiet = (
        t(lang, "settings.quiet_range", start=_hhmm(chat.quiet_start), end=_hhmm(chat.quiet_end))
        if chat.quiet_start is not None and chat.quiet_end is not None
        else t(lang, "settings.off")
    )
    return t(
        lang,
        "settings.summary",
        language=t(lang, f"language.{chat.language}"),
        topics=", ".join(on) if on else t(lang, "settings.none"),
        quiet=quiet,
        digest=html.escape(chat.digest_time) if chat.digest_time else t(lang, "settings.off"),
        digest_map=t(lang, "settings.digest_with_map")
        if chat.digest_map and chat.digest_time
        else "",
        threats=_threats(lang, chat),
        others=_others(lang, chat),
    )


def _threats(lang: str, chat: Chat) -> str:
    return t(lang, "settings.threats_silent" if chat.quiet_all else "settings.threats_ring")


def _others(lang: str, chat: Chat) -> str:
    return t(lang, "settings.others_marked" if chat.other_areas else "settings.others_hidden")


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def _menu(lang: str, chat: Chat, page: str) -> InlineKeyboardMarkup:
    back = [_button(t(lang, "settings.back"), "set:main")]
    if page == "topics":
        rows = [
            [
                _button(
                    ("✅ " if chat.topics & (1 << i) else "▫️ ") + t(lang, f"topic.{name}"),
                    f"set:t:{i}",
                )
            ]
            for i, name in enumerate(TOPICS)
        ]
        return InlineKeyboardMarkup([*rows, back])
    if page == "quiet":
        presets = [
            [
                _button(
                    t(lang, "settings.quiet_range", start=_hhmm(s), end=_hhmm(e)), f"set:q:{s}-{e}"
                )
            ]
            for s, e in QUIET_PRESETS
        ]
        flip = _button(
            t(lang, "settings.threats_toggle", state=_threats(lang, chat)),
            f"set:qa:{int(not chat.quiet_all)}",
        )
        return InlineKeyboardMarkup(
            [*presets, [_button(t(lang, "settings.off"), "set:q:off")], [flip], back]
        )
    if page == "digest":
        times = [
            _button(("✅ " if chat.digest_time == d else "") + d, f"set:d:{d}")
            for d in DIGEST_PRESETS
        ]
        rows = [times[i : i + 3] for i in range(0, len(times), 3)]
        with_map = _button(
            t(lang, "settings.digest_map_toggle", mark="✅" if chat.digest_map else "▫️"),
            f"set:dm:{int(not chat.digest_map)}",
        )
        off = [_button(t(lang, "settings.off"), "set:d:off")]
        return InlineKeyboardMarkup([*rows, off, [with_map], back])
    if page == "lang":
        langs = [_button(t(lang, f"language.{code}"), f"set:l:{code}") for code in LANGUAGES]
        return InlineKeyboardMarkup([langs, back])
    return InlineKeyboardMarkup(
        [
            [
                _button(t(lang, "settings.topics"), "set:topics"),
                _button(t(lang, "settings.quiet"), "set:quiet"),
            ],
            [
                _button(t(lang, "settings.digest"), "set:digest"),
                _button(t(lang, "settings.language"), "set:lang"),
            ],
            [
                _button(
                    t(lang, "settings.others_toggle", state=_others(lang, chat)),
                    f"set:o:{int(not chat.other_areas)}",
                )
            ],
        ]
    )


async def settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return
    chat = await db(context, partial(_get, chat_id=info.id), readonly=True)
    assert chat is not None
    await reply(update, _summary(chat.language, chat), _menu(chat.language, chat, "main"))


def _offered() -> frozenset[str]:
    """Every ``set:`` button the menus can show; anything else was never offered."""
    return frozenset(
        [f"set:{page}" for page in PAGES]
        + [f"set:t:{i}" for i in range(len(TOPICS))]
        + [f"set:q:{s}-{e}" for s, e in QUIET_PRESETS]
        + [f"set:d:{d}" for d in DIGEST_PRESETS]
        + ["set:q:off", "set:d:off", "set:qa:0", "set:qa:1", "set:o:0", "set:o:1"]
        + ["set:dm:0", "set:dm:1"]
        + [f"set:l:{code}" for code in LANGUAGES]
    )


OFFERED: Final = _offered()


def _change(chat: Chat, action: str, arg: str) -> tuple[dict[str, Any], str]:
    """The fields a tap changes and the page to show next (``arg`` is one of :data:`OFFERED`)."""
    if action == "t":
        return {"topics": chat.topics ^ (1 << int(arg))}, "topics"
    if action == "q":
        if arg == "off":
            return {"quiet_start": None, "quiet_end": None}, "main"
        start, end = (int(x) for x in arg.split("-"))
        return {"quiet_start": start, "quiet_end": end}, "main"
    if action == "d":
        return {"digest_time": None if arg == "off" else arg}, "main"
    if action == "qa":  # quiet hours silence threats to the chat's own places too
        return {"quiet_all": arg == "1"}, "quiet"
    if action == "dm":  # the daily digest carries the map of its 24 hours
        return {"digest_map": arg == "1"}, "digest"
    if action == "o":  # a town-subscribed chat: other raions' news marked, or left out
        return {"other_areas": arg == "1"}, "main"
    if action == "l" and arg in LANGUAGES:
        return {"language": arg}, "main"
    return {}, "main"


async def settings_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """set:<page> opens a page; set:<action>:<value> changes a setting. Only values the menus
    offer are taken: a forged or stale one is refused before anything is read or written."""
    query = update.callback_query
    if query is None or query.data not in OFFERED:
        await expired(update, context)
        return
    tap = await allowed_tap(update, context)
    if tap is None:
        return
    query, data, info = tap
    chat = await db(context, partial(_get, chat_id=info.id), readonly=True)
    assert chat is not None
    parts = data.split(":", 2)
    page = parts[1]
    if len(parts) == 3:
        values, page = _change(chat, parts[1], parts[2])
        if values:
            changed = await db(context, partial(_set, chat_id=info.id, values=values))
            assert changed is not None
            chat = changed
    lang = chat.language
    await query.answer(t(lang, "settings.saved") if len(parts) == 3 else None)
    await edit(query, _summary(lang, chat), _menu(lang, chat, page))


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stop: ask before forgetting the chat."""
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return
    buttons = InlineKeyboardMarkup(
        [
            [
                _button(t(info.lang, "stop.yes"), "stop:yes"),
                _button(t(info.lang, "stop.no"), "stop:no"),
            ]
        ]
    )
    await reply(update, t(info.lang, "stop.confirm"), buttons)


def _forget(session: Session, chat_id: int) -> bool:
    return crud.forget_chat(session, chat_id)


async def stop_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    info: ChatInfo = await chat_info(update, context)
    if not await may_change(update, context, info):
        return
    await query.answer()
    if query.data == "stop:yes":
        await db(context, partial(_forget, chat_id=info.id))
        await edit(query, t(info.lang, "stop.done"))
    else:
        await edit(query, t(info.lang, "stop.kept"))
