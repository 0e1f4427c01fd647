"""A command while the database is away gets a short "temporarily unavailable" — in the
sender's language, once per chat in a while, with one warning line and no traceback — and
is answered normally once the database is back.

PostgreSQL through a proxy that cuts every connection (a server going away), and SQLite whose
file cannot be opened (its volume gone).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.standins.tcp_proxy import TcpProxy
from storage.db import make_engine
from tests.support.kit import Bot, running_bot

UK = "⏳ Тимчасово недоступно, спробуйте за хвилину."
EN = "⏳ Temporarily unavailable, please try again in a minute."
CHANNEL = -1001234567890


def _problems(caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[logging.LogRecord]]:
    """(warning messages, records carrying a traceback or at error level)."""
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    return warnings, bad


async def _latest_answers_normally(bot: Bot, chat: int) -> None:
    [answer] = await bot.say(chat, "/latest", language_code="en")
    assert answer.text not in (UK, EN) and answer.text


async def test_postgresql_away_then_back(
    proxied_pg: tuple[Engine, TcpProxy], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine, proxy = proxied_pg
    async with running_bot(tmp_path, engine) as bot:
        await _latest_answers_normally(bot, 501)
        [keyboard] = await bot.say(503, "/latest", language_code="en")  # no regions: a keyboard
        buttons = [b for row in keyboard.reply_markup["inline_keyboard"] for b in row]
        chernihiv = next(b["callback_data"] for b in buttons if "Chernihiv" in b["text"])
        proxy.cut()  # the server goes away
        with caplog.at_level(logging.INFO):
            [uk] = await bot.say(502, "/latest", language_code="uk")
            [en] = await bot.say(501, "/latest", language_code="en-GB")
            assert (uk.text, en.text) == (UK, EN)  # the sender's language: no chat row is read
            told = len(bot.tg.sent(501))
            bot.tg.send_text(501, "/latest", language_code="en")  # again at once: not flooded
            await asyncio.sleep(1.0)
            assert len(bot.tg.sent(501)) == told
            tap = bot.tg.tap(503, keyboard.message_id, chernihiv, language_code="en")
            query_id = tap["callback_query"]["id"]
            answer = await bot.tg.async_wait_for(lambda: bot.tg.callback_answer(query_id))
            assert answer["text"] == EN and answer["show_alert"]  # a tap: the answer pops up
            bot.tg.channel_post(CHANNEL, "chernihivskaoda", "Тривога", 7)  # nobody to tell
            await bot.tg.async_wait_for(lambda: "database.unavailable" in caplog.messages)
            assert not bot.tg.sent(CHANNEL)
        warnings, bad = _problems(caplog)
        assert warnings.count("handler.db_unavailable") == 3  # one line per chat told
        assert not bad, [r.getMessage() for r in bad]
        proxy.restore()
        await _latest_answers_normally(bot, 502)
        await _latest_answers_normally(bot, 501)
        shown = len(bot.tg.sent(503))
        bot.tg.tap(503, keyboard.message_id, chernihiv, language_code="en")
        latest = (await bot.tg.wait_for_messages(503, shown + 1))[-1]
        assert "Chernihiv" in latest.text  # the region's /latest, as ever


async def test_sqlite_file_gone_then_back(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The data volume goes away (the file cannot be opened), then comes back."""
    path = tmp_path / "data" / "sitrep.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    away = tmp_path / "away"
    try:
        async with running_bot(tmp_path, engine) as bot:
            await _latest_answers_normally(bot, 501)
            path.parent.rename(away)
            path.mkdir(parents=True)  # a directory where the file was: it cannot be opened
            engine.dispose()  # connections open before the volume went are gone with it
            try:
                with caplog.at_level(logging.INFO):
                    [msg] = await bot.say(501, "/latest", language_code="uk")
                assert msg.text == UK
            finally:
                path.rmdir()
                path.parent.rmdir()
                away.rename(path.parent)
            warnings, bad = _problems(caplog)
            assert warnings.count("handler.db_unavailable") == 1
            assert not bad, [r.getMessage() for r in bad]
            await _latest_answers_normally(bot, 501)
    finally:
        engine.dispose()
