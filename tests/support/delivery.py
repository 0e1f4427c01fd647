"""Alert delivery as the tests drive it: a seeded registry and chats, the pipeline feeding a
running dispatcher against the Bot API stand-in, and a wait until the outbox is done."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.alerting import Dispatcher, OutboxSink, RateLimits, make_bot
from bot.alerting.render import KYIV
from bot.pipeline import IncomingPost, Pipeline
from bot.registry import ChannelSpec, seed_channels
from bot.standins.botapi_server import BotApiStandin
from storage import crud
from storage.db import session_scope
from storage.models import Chat, Outbox

T0 = datetime(2026, 11, 24, 0, 14, tzinfo=UTC)  # 02:14 in Kyiv
ALERT = "🔴 02:14 Повітряна тривога в Чернігівська область."
ALL_CLEAR = "🟢 03:10 Відбій тривоги в Чернігівська область."
DRONES = "Група ударних БпЛА на півночі Чернігівщини, курсом на південь."
FAST = RateLimits(global_per_s=0, per_chat_per_s=50, per_chat_burst=50)


def seed(engine: Engine, chats: dict[int, tuple[str, ...]], **settings: object) -> None:
    seed_channels(
        engine,
        [
            ChannelSpec("air_alert_ua", "alerts", None, True, "", 10),
            ChannelSpec("kpszsu", "air_force", None, True, "", 10),
            ChannelSpec("chernihiv_oda", "governor", "UA-74", True, "", 10),
        ],
    )
    with session_scope(engine) as s:
        for chat_id, regions in chats.items():
            crud.upsert_chat(s, chat_id, type="private" if chat_id > 0 else "supergroup")
            for region in regions:
                crud.subscribe(s, chat_id, region)
            chat = s.get(Chat, chat_id)
            assert chat is not None
            for key, value in settings.get(chat_id, {}).items():  # type: ignore[attr-defined]
                setattr(chat, key, value)


@asynccontextmanager
async def running(
    engine: Engine, tg: BotApiStandin, limits: RateLimits = FAST, tz: ZoneInfo = KYIV
) -> AsyncIterator[tuple[Pipeline, Dispatcher]]:
    bot = make_bot(tg.token, tg.base_url, base_file_url=tg.base_file_url, pool=4)
    async with bot:
        dispatcher = Dispatcher(engine, bot, limits=limits, workers=4, poll_s=0.05, tz=tz)
        await dispatcher.start()
        try:
            yield Pipeline(engine, OutboxSink(dispatcher.wake, tz=tz)), dispatcher
        finally:
            await dispatcher.stop()


def post(channel: str, mid: int, text: str, at: datetime = T0, edited: bool = False) -> list[IncomingPost]:  # fmt: skip
    return [IncomingPost(channel, mid, at, text, edited_at=at if edited else None)]


async def settle(engine: Engine, tg: BotApiStandin, timeout: float = 5.0) -> None:
    """Wait until the outbox has nothing left to do."""

    def done() -> bool:
        with session_scope(engine, readonly=True) as s:
            rows = s.exec(select(Outbox.status)).all()
        return all(r in ("sent", "dead") for r in rows)

    await tg.async_wait_for(done, timeout)
