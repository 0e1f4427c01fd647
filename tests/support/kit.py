"""Harness for the handler tests: the real PTB Application against the Bot API stand-in.

No tests here; ``tests/test_handlers_*.py`` build a :class:`Bot` with :func:`running_bot`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from bot.config import Settings
from bot.pipeline import IncomingPost, Pipeline
from bot.registry import ChannelSpec, seed_channels
from bot.services import Services
from bot.standins.botapi_server import BotApiStandin
from bot.standins.botapi_state import SentMessage
from handlers.app import build_application
from storage import crud
from storage.db import make_engine, session_scope

# 10:00 in Kyiv (UTC+2 in November).
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
CHANNELS = [
    ChannelSpec("air_alert_ua", "alerts", None, True, "Повітряна тривога", 10),
    ChannelSpec("kpszsu", "air_force", None, True, "Повітряні сили", 10),
    ChannelSpec("chernihivskaoda", "governor", "UA-74", True, "Чернігівська ОВА", 30),
    ChannelSpec("ukrzalinfo", "railway", None, True, "Укрзалізниця", 30),
    ChannelSpec("ukrenergo", "energy", None, True, "Укренерго", 30),
]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Bot:
    tg: BotApiStandin
    app: Any
    svc: Services
    engine: Engine
    clock: Clock
    _next_id: int = 1000

    async def say(self, chat_id: int, text: str, n: int = 1, **kw: Any) -> list[SentMessage]:
        """Send ``text`` as a user; wait for ``n`` new bot messages in the chat; return them."""
        before = len(self.tg.sent(chat_id))
        self.tg.send_text(chat_id, text, **kw)
        msgs = await self.tg.wait_for_messages(chat_id, before + n)
        return msgs[before:]

    async def tap(self, chat_id: int, message_id: int, data: str, **kw: Any) -> SentMessage:
        """Tap a button; wait until the tap is answered; return the message as it stands."""
        update = self.tg.tap(chat_id, message_id, data, **kw)
        query_id = update["callback_query"]["id"]
        await self.tg.async_wait_for(lambda: self.answered(query_id))
        await self.tg.async_wait_for(lambda: not self.app.update_queue.qsize(), 2)
        return await self.message(chat_id, message_id)

    def answered(self, query_id: str) -> bool:
        calls = self.tg.calls("answerCallbackQuery", ok=True)
        return any(str(c.params.get("callback_query_id")) == query_id for c in calls)

    async def message(self, chat_id: int, message_id: int) -> SentMessage:
        return next(m for m in self.tg.sent(chat_id) if m.message_id == message_id)

    async def edited(self, chat_id: int, message_id: int, contains: str) -> SentMessage:
        """Wait until the bot's message contains ``contains`` (after an edit)."""
        found: SentMessage = await self.tg.async_wait_for(
            lambda: next(
                (
                    m
                    for m in self.tg.sent(chat_id)
                    if m.message_id == message_id and contains in m.text
                ),
                None,
            )
        )
        return found

    async def post(self, channel: str, text: str, ago: timedelta = timedelta(minutes=30)) -> None:
        """A channel post published ``ago`` before the clock, through the real pipeline."""
        self._next_id += 1
        post = IncomingPost(channel, self._next_id, self.clock.now - ago, text)
        await self.svc.pipeline.ingest(channel, [post])

    def polls_ok(self, at: datetime | None = None) -> None:
        """Every channel was polled successfully at ``at`` (default: now)."""
        with session_scope(self.engine) as s:
            for c in crud.list_channels(s):
                assert c.id is not None
                crud.record_poll(s, c.id, ok=True, now=at or self.clock.now)

    def regions(self, chat_id: int) -> list[str]:
        with session_scope(self.engine, readonly=True) as s:
            return crud.subscriptions_of(s, chat_id)

    def chat(self, chat_id: int) -> Any:
        with session_scope(self.engine, readonly=True) as s:
            return crud.get_chat(s, chat_id)


@asynccontextmanager
async def running_bot(
    tmp_path: Path, engine: Engine | None = None, *, limits: bool = False, **app_kw: Any
) -> AsyncIterator[Bot]:
    """The real Application, polling the stand-in; SQLite file store unless ``engine``."""
    own = engine is None
    if engine is None:
        engine = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
        SQLModel.metadata.create_all(engine)
    seed_channels(engine, CHANNELS)
    clock = Clock(NOW)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    svc = Services(settings, engine, Pipeline(engine, clock=clock), clock=clock)
    kwargs: dict[str, Any] = {"limits": None} if not limits else {}
    with BotApiStandin(**kwargs) as tg:
        app_kw.setdefault("rate_limit", limits)
        app_kw.setdefault("digests_job", False)
        app = build_application(svc, tg.ptb_builder(), **app_kw)
        await app.initialize()
        if app.post_init is not None:  # what run_polling() does after initialize()
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield Bot(tg, app, svc, engine, clock)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            if own:
                engine.dispose()
