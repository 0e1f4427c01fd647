"""Helpers of the outage tests: counting what Telegram took and waiting on the far side."""

from __future__ import annotations

import asyncio
import socket
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.pipeline import IncomingPost
from bot.standins.botapi_server import BotApiStandin
from storage.db import session_scope
from storage.models import Outbox
from tests.support.delivery import ALERT


def statuses(engine: Engine) -> Counter[str]:
    with session_scope(engine, readonly=True) as s:
        return Counter(s.exec(select(Outbox.status)).all())


def per_chat(tg: BotApiStandin) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in tg.calls("sendMessage", ok=True))


async def wait_until(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(predicate):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def alert_now() -> list[IncomingPost]:
    return [IncomingPost("air_alert_ua", 1, datetime.now(UTC), ALERT)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
