"""/settings (topics, quiet hours and whether threats ring in them, digest time and whether it
carries the map, language, other raions for a town-subscribed chat) and /stop (forget the
chat)."""

from __future__ import annotations

import html
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import chats
from bot.i18n import LANGUAGES, t
from handlers.callbacks import (
    DIGEST_PRESETS,
    PAGES,
    QUIET_PRESETS,
    SETTINGS,
    CallbackData,
    DigestMap,
    DigestTime,
    Language,
    OtherAreas,
    QuietHours,
    SettingsPage,
    Stop,
    ThreatsInQuiet,
    ToggleTopic,
    unpack_any,
)
from handlers.common import allowed_tap, chat_info, edit, may_change, reply, tapped
from handlers.context import SitrepContext
from storage import crud
from storage.models import TOPICS, Chat


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


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


def _button(text: str, tap: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=tap.pack())


def _menu(lang: str, chat: Chat, page: str) -> InlineKeyboardMarkup:
    back = [_button(t(lang, "settings.back"), SettingsPage("main"))]
    if page == "topics":
        rows = [
            [
                _button(
                    ("✅ " if chat.topics & (1 << i) else "▫️ ") + t(lang, f"topic.{name}"),
                    ToggleTopic(i),
                )
            ]
            for i, name in enumerate(TOPICS)
        ]
        return InlineKeyboardMarkup([*rows, back])
    if page == "quiet":
        presets = [
            [
                _button(
                    t(lang, "settings.quiet_range", start=_hhmm(s), end=_hhmm(e)), QuietHours(s, e)
                )
            ]
            for s, e in QUIET_PRESETS
        ]
        off = [_button(t(lang, "settings.off"), QuietHours(None, None))]
        flip = _button(
            t(lang, "settings.threats_toggle", state=_threats(lang, chat)),
            ThreatsInQuiet(not chat.quiet_all),
        )
        return InlineKeyboardMarkup([*presets, off, [flip], back])
    if page == "digest":
        times = [
            _button(("✅ " if chat.digest_time == d else "") + d, DigestTime.of(d))
            for d in DIGEST_PRESETS
        ]
        rows = [times[i : i + 3] for i in range(0, len(times), 3)]
        with_map = _button(
            t(lang, "settings.digest_map_toggle", mark="✅" if chat.digest_map else "▫️"),
            DigestMap(not chat.digest_map),
        )
        off = [_button(t(lang, "settings.off"), DigestTime(None))]
        return InlineKeyboardMarkup([*rows, off, [with_map], back])
    if page == "lang":
        langs = [_button(t(lang, f"language.{code}"), Language(code)) for code in LANGUAGES]
        return InlineKeyboardMarkup([langs, back])
    return InlineKeyboardMarkup(
        [
            [
                _button(t(lang, "settings.topics"), SettingsPage("topics")),
                _button(t(lang, "settings.quiet"), SettingsPage("quiet")),
            ],
            [
                _button(t(lang, "settings.digest"), SettingsPage("digest")),
                _button(t(lang, "settings.language"), SettingsPage("lang")),
            ],
            [
                _button(
                    t(lang, "settings.others_toggle", state=_others(lang, chat)),
                    OtherAreas(not chat.other_areas),
                )
            ],
        ]
    )


async def settings(update: Update, context: SitrepContext) -> None:
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return
    chat = await context.read(crud.get_chat, info.id)
    assert chat is not None
    await reply(update, _summary(chat.language, chat), _menu(chat.language, chat, "main"))


def _offered() -> frozenset[str]:
    """Every settings button the menus can show (the codec refuses any other value)."""
    taps: list[CallbackData] = [SettingsPage(page) for page in PAGES]
    taps += [ToggleTopic(i) for i in range(len(TOPICS))]
    taps += [QuietHours(s, e) for s, e in QUIET_PRESETS] + [QuietHours(None, None)]
    taps += [DigestTime.of(d) for d in (*DIGEST_PRESETS, None)]
    taps += [ThreatsInQuiet(flag) for flag in (False, True)]
    taps += [DigestMap(flag) for flag in (False, True)]
    taps += [OtherAreas(flag) for flag in (False, True)]
    taps += [Language(code) for code in LANGUAGES]
    return frozenset(tap.pack() for tap in taps)


OFFERED: Final = _offered()


def _change(action: CallbackData) -> tuple[dict[str, Any], str]:
    """The fields a settings tap sets and the page to show next."""
    match action:
        case QuietHours(start=start, end=end):
            return {"quiet_start": start, "quiet_end": end}, "main"
        case DigestTime():
            return {"digest_time": action.hhmm}, "main"
        case ThreatsInQuiet(silent=silent):  # quiet hours silence threats to own places too
            return {"quiet_all": silent}, "quiet"
        case DigestMap(with_map=with_map):  # the daily digest carries the map of its 24 hours
            return {"digest_map": with_map}, "digest"
        case OtherAreas(marked=marked):  # a town-subscribed chat: other raions marked or not
            return {"other_areas": marked}, "main"
        case Language(code=code):
            return {"language": code}, "main"
    raise ValueError(f"not a settings change: {action!r}")


async def settings_tap(update: Update, context: SitrepContext) -> None:
    """A page opens, or one setting changes in one transaction (a topic flips in the database,
    so concurrent taps never undo each other). The handler's pattern takes only values the
    menus offer: a forged or stale one never gets here."""
    tap = await allowed_tap(update, context)
    if tap is None:
        return
    query, data, info = tap
    action = unpack_any(data, SETTINGS)
    assert action is not None  # the handler's pattern let only settings taps in
    if isinstance(action, SettingsPage):
        chat, page = await context.read(crud.get_chat, info.id), action.page
    elif isinstance(action, ToggleTopic):
        chat, page = await context.write(crud.toggle_topic, info.id, action.index), "topics"
    else:
        values, page = _change(action)
        chat = await context.write(chats.change_settings, info.id, **values)
    assert chat is not None
    lang = chat.language
    await query.answer(None if isinstance(action, SettingsPage) else t(lang, "settings.saved"))
    await edit(query, _summary(lang, chat), _menu(lang, chat, page))


async def stop(update: Update, context: SitrepContext) -> None:
    """/stop: ask before forgetting the chat."""
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return
    buttons = InlineKeyboardMarkup(
        [
            [
                _button(t(info.lang, "stop.yes"), Stop("yes")),
                _button(t(info.lang, "stop.no"), Stop("no")),
            ]
        ]
    )
    await reply(update, t(info.lang, "stop.confirm"), buttons)


async def stop_tap(update: Update, context: SitrepContext) -> None:
    query = update.callback_query
    assert query is not None
    info = await chat_info(update, context)
    if not await may_change(update, context, info):
        return
    await query.answer()
    if tapped(update, Stop).answer == "yes":
        await context.write(crud.forget_chat, info.id)
        await edit(query, t(info.lang, "stop.done"))
    else:
        await edit(query, t(info.lang, "stop.kept"))
