"""Updates of different chats run side by side; one chat's updates run in order.

PTB processes one update at a time unless told otherwise, so six slow commands from six users
would hold up everybody else's ``/help``. Fully concurrent processing would let one chat's
``/subscribe`` and ``/unsubscribe`` overtake each other; a lock per chat keeps each chat's
order while other chats go on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseUpdateProcessor

RUNNING: Final = 32  # handlers running at once (each waits mostly on the DB or Telegram)
QUEUED: Final = 4096  # updates PTB may hand over before it waits (queued behind chat locks)


class PerChatUpdates(BaseUpdateProcessor):
    """At most :data:`RUNNING` updates at once, never two of the same chat."""

    __slots__ = ("_gate", "_locks", "_users")

    def __init__(self, running: int = RUNNING, queued: int = QUEUED) -> None:
        super().__init__(queued)
        self._gate = asyncio.Semaphore(running)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock, self._gate:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        self._locks.clear()
        self._users.clear()
