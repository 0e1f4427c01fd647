"""Hostile input against the running bot: long queries, forged buttons, markup in echoes."""

from __future__ import annotations

import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from handlers.callbacks import Stop, Subscribe, Unsubscribe
from handlers.settings import DIGEST_PRESETS, OFFERED, PAGES, _menu
from storage import crud
from storage.db import session_scope
from storage.models import ALL_TOPICS_MASK, Chat
from tests.support.kit import Bot, running_bot

USER = 501
OTHER = 502


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(tmp_path) as b:
        yield b


def _snapshot(bot: Bot, chat_id: int) -> tuple[Any, list[str]]:
    chat = bot.chat(chat_id)
    fields = None if chat is None else chat.model_dump()
    return fields, bot.regions(chat_id)


ROUNDS = 3


async def _help_latencies(bot: Bot, flood: list[str]) -> list[float]:
    """Seconds from injecting another user's /help, right after ``flood`` from six other chats,
    to its sendMessage at the stand-in; one figure per round (the machine is shared, so the
    test judges the median)."""
    await bot.say(OTHER, "/start")  # a known chat, as most are
    figures = []
    for r in range(ROUNDS):
        bot.tg.clear_records()
        for i, text in enumerate(flood):
            bot.tg.send_text(800 + 10 * r + i, text)
        before = len(bot.tg.sent(OTHER))
        start = time.time()
        bot.tg.send_text(OTHER, "/help")
        await bot.tg.wait_for_messages(OTHER, before + 1, timeout=30)
        [call] = [
            c
            for c in bot.tg.calls("sendMessage", ok=True)
            if str(c.params.get("chat_id")) == str(OTHER)
        ]
        figures.append(call.time - start)
        for i in range(len(flood)):
            await bot.tg.wait_for_messages(800 + 10 * r + i, 1, timeout=60)
    return figures


async def test_six_4096_character_subscribes_leave_help_fast(bot: Bot) -> None:
    query = ("Олександрівка " * 300)[: 4096 - len("/subscribe ")]
    figures = await _help_latencies(bot, [f"/subscribe {query}"] * 6)
    print(f"/help under six 4,096-character /subscribe: {[round(f, 3) for f in figures]} s")
    assert statistics.median(figures) < 0.3
    for chat in range(800, 800 + 10 * ROUNDS, 10):
        [answer] = bot.tg.sent(chat)
        assert "Задовгий запит" in answer.text
        assert bot.regions(chat) == []


async def test_six_longest_allowed_queries_resolve_off_the_event_loop(bot: Bot) -> None:
    """Queries at the cap still run place resolution; it must not hold up other chats."""
    flood = [f"/subscribe {('Олександрівка ' * 10)[:64]}", f"/latest {'ж' * 64}"] * 3
    figures = await _help_latencies(bot, flood)
    print(f"/help under six 64-character queries: {[round(f, 3) for f in figures]} s")
    assert statistics.median(figures) < 0.3


async def test_one_chats_commands_keep_their_order(bot: Bot) -> None:
    """Chats run side by side, but never two updates of one chat at once."""
    for _ in range(3):
        bot.tg.send_text(USER, "/subscribe Київщина")
        bot.tg.send_text(USER, "/unsubscribe Київщина")
    bot.tg.send_text(USER, "/subscribe Ніжин")
    msgs = await bot.tg.wait_for_messages(USER, 7, timeout=30)
    assert [m.text.split(" ")[1] for m in msgs] == ["Ви", "Ви"] * 3 + ["Ви"]
    assert "Ніжин" in msgs[-1].text  # followed down to the town
    assert bot.regions(USER) == ["UA-74"]


@pytest.mark.parametrize("command", ["/subscribe", "/unsubscribe", "/latest"])
async def test_too_long_query_is_refused_and_changes_nothing(bot: Bot, command: str) -> None:
    await bot.say(USER, "/subscribe Чернігівщина")
    before = _snapshot(bot, USER)
    [answer] = await bot.say(USER, f"{command} {'Київ' * 40}")
    assert "Задовгий запит (символів: 160, можна до 64)" in answer.text
    assert answer.reply_markup is None
    assert _snapshot(bot, USER) == before
    [answer] = await bot.say(OTHER, f"{command} {'Kyiv' * 40}", language_code="en")
    assert "too long (160 characters, up to 64 allowed)" in answer.text
    assert bot.chat(OTHER) is None  # not even registered


async def test_echoed_markup_is_escaped_and_accepted(bot: Bot) -> None:
    for text in ("/subscribe <b>&", "/latest <b>&amp;", "/subscribe </i>"):
        [answer] = await bot.say(USER, text)
        assert text.split(" ", 1)[1] in answer.text  # shown literally
    await bot.say(USER, "/subscribe Чернігівщина")
    [answer] = await bot.say(USER, "/unsubscribe <a href='x'>&")
    assert "<a href='x'>&" in answer.text
    assert bot.tg.calls("sendMessage", ok=False) == []


async def test_stored_digest_time_is_escaped(bot: Bot) -> None:
    """A value written before validation existed is shown literally, not parsed."""
    await bot.say(USER, "/start")
    with session_scope(bot.engine) as s:
        crud.set_chat_fields(s, USER, digest_time="25:99<b>")
    [menu] = await bot.say(USER, "/settings")
    assert "25:99<b>" in menu.text
    assert bot.tg.calls("sendMessage", ok=False) == []


# Values no menu offers, in today's format (each prefix is the codec's own).
FORGED = [
    "sub:UA-99",
    "sub:UA-00",
    "unsub:UA-99",
    "latest:UA-99",
    "history:UA-99",
    "sub:Київ",
    "sub:UA-74:1",
    "topic:99",
    "topic:6",
    "topic:-1",
    "topic:x",
    "topic:05",
    "quiet:1:2",
    "quiet:0:99999",
    "quiet:1320:",
    "digest:25:99<b>",
    "digest:421",
    "threats:2",
    "digestmap:yes",
    "others:",
    "lang:ru",
    "set:nowhere",
    "stop:maybe",
    "town:Київ",
    "broadcast:zzzzzzzz:1",
    "x" * 64,
]
# Buttons older versions sent, still in chats: refused, with the command for fresh ones.
OLD = {
    "uns:UA-74": "/unsubscribe",
    "lat:UA-74": "/latest",
    "his:UA-74": "/history",
    "twn:UA7404": "/subscribe",
    "set:t:5": "/settings",
    "set:q:1320-420": "/settings",
    "set:d:09:00": "/settings",
    "set:qa:1": "/settings",
    "set:dm:1": "/settings",
    "set:o:0": "/settings",
    "set:l:en": "/settings",
    "adm:bc:0a1b2c3d:ok": "/admin",
}


async def test_forged_buttons_are_expired_and_change_nothing(bot: Bot) -> None:
    [hello] = await bot.say(USER, "/start")
    await bot.tap(USER, hello.message_id, Subscribe("UA-74").pack())
    [menu] = await bot.say(USER, "/settings")
    before = _snapshot(bot, USER)
    bot.tg.clear_records()
    for data in FORGED:
        for message in (hello, menu):
            update = bot.tg.tap(USER, message.message_id, data)
            query_id = update["callback_query"]["id"]
            await bot.tg.async_wait_for(lambda q=query_id: bot.answered(q))
            answer = bot.tg.callback_answer(query_id)
            assert answer is not None
            assert "Ця кнопка застаріла або невідома" in str(answer.get("text")), data
            assert _snapshot(bot, USER) == before, data
    assert bot.tg.calls("editMessageText") == []
    assert bot.tg.calls("sendMessage", ok=False) == []
    [latest] = await bot.say(USER, "/latest")
    assert "Чернігівщина" in latest.text
    [pick] = await bot.say(USER, "/unsubscribe")
    await bot.tap(USER, pick.message_id, Unsubscribe("UA-74").pack())
    await bot.edited(USER, pick.message_id, "Ви відписалися від: Чернігівщина")
    assert bot.regions(USER) == []


async def test_buttons_of_an_older_version_are_answered_and_change_nothing(bot: Bot) -> None:
    [hello] = await bot.say(USER, "/start", language_code="en")
    await bot.tap(USER, hello.message_id, Subscribe("UA-74").pack())
    [menu] = await bot.say(USER, "/settings")
    before = _snapshot(bot, USER)
    bot.tg.clear_records()
    for data, command in OLD.items():
        update = bot.tg.tap(USER, menu.message_id, data, language_code="en")
        query_id = update["callback_query"]["id"]
        await bot.tg.async_wait_for(lambda q=query_id: bot.answered(q))
        answer = bot.tg.callback_answer(query_id)
        assert answer is not None
        text = str(answer.get("text"))
        assert "out of date" in text and f"Send {command} for fresh buttons" in text, data
        assert _snapshot(bot, USER) == before, data
    assert bot.tg.calls("editMessageText") == []
    assert bot.tg.calls("sendMessage", ok=False) == []


async def test_forged_button_from_a_forgotten_chat_writes_nothing(bot: Bot) -> None:
    [hello] = await bot.say(USER, "/start")
    [ask] = await bot.say(USER, "/stop")
    await bot.tap(USER, ask.message_id, Stop("yes").pack())
    await bot.edited(USER, ask.message_id, "/start")
    before = _snapshot(bot, USER)
    update = bot.tg.tap(USER, hello.message_id, "sub:UA-99", language_code="en")
    query_id = update["callback_query"]["id"]
    await bot.tg.async_wait_for(lambda: bot.answered(query_id))
    answer = bot.tg.callback_answer(query_id)
    assert answer is not None and "out of date" in str(answer.get("text"))
    assert _snapshot(bot, USER) == before


async def test_a_stored_unknown_region_breaks_nothing(bot: Bot) -> None:
    """A row written before taps were checked: every command still answers."""
    await bot.say(USER, "/subscribe Чернігівщина")
    with session_scope(bot.engine) as s:
        crud.subscribe(s, USER, "UA-99")
    for command in ("/latest", "/regions", "/unsubscribe", "/subscribe"):
        [answer] = await bot.say(USER, command)
        assert "UA-99" not in answer.text and "UA-99" not in str(answer.reply_markup)
    [done] = await bot.say(USER, "/unsubscribe Чернігівщина")
    assert "Ви відписалися від: Чернігівщина" in done.text
    assert bot.tg.calls("sendMessage", ok=False) == []


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_every_offered_settings_button_is_accepted(lang: str) -> None:
    """The check against forged values must never refuse a button the menus show."""
    shown: set[str] = set()
    for topics, flags in ((0, False), (ALL_TOPICS_MASK, True)):
        for digest in (None, *DIGEST_PRESETS):
            chat = Chat(id=1, type="private", language=lang, topics=topics, digest_time=digest)
            chat.quiet_all = chat.other_areas = chat.digest_map = flags
            for page in PAGES:
                markup = _menu(lang, chat, page)
                shown |= {str(b.callback_data) for row in markup.inline_keyboard for b in row}
    assert shown == set(OFFERED)
