"""Group-commit writer of delivery outcomes.

Senders hand over outcomes without waiting; one task writes everything that piled up during
the previous commit in a single short transaction. Under load this is one commit per a few
dozen messages (SQLite's single writer stays free for the pipeline); when idle an outcome is
committed within milliseconds — which keeps the send→mark window, the only source of
duplicates after a crash, as small as it can be.

A batch is never dropped: while the database is away the recorder keeps the outcomes and
retries (capped backoff) until it is back, so nothing is left in ``sending`` and nothing that
Telegram already took is sent again. ``failing_since`` tells the health check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from storage import crud
from storage.db import session_scope

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Op:
    kind: str  # sent | retry | dead | expired | deactivate | release
    outbox_id: int = 0
    delivered: crud.Delivered | None = None
    at: datetime | None = None
    error: str | None = None


class Recorder:
    """Queue of outcomes, written in batches by :meth:`_run`."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock
        self._queue: asyncio.Queue[_Op] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._held: Counter[int] = Counter()  # outbox ids with an outcome not yet written
        self.commits = 0
        self.failing_since: float | None = None  # monotonic time of the first failed write
        self.retry_cap_s = 5.0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-recorder")

    async def stop(self, timeout: float | None = None) -> None:
        """Write what is queued (waiting at most ``timeout`` s if given), then end."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), timeout)
        if not self._queue.empty() or self._held:
            logger.error("recorder.stopped_unwritten", extra={"rows": len(self._held)})
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    @property
    def held(self) -> set[int]:
        """Outbox ids whose outcome is queued or being written (a sweep must not requeue)."""
        return set(self._held)

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def _put(self, op: _Op) -> None:
        if op.kind != "deactivate":
            self._held[op.outbox_id] += 1
        self._queue.put_nowait(op)

    def sent(self, delivered: crud.Delivered) -> None:
        self._put(_Op("sent", delivered.outbox_id, delivered=delivered))

    def retry(self, outbox_id: int, at: datetime, error: str) -> None:
        self._put(_Op("retry", outbox_id, at=at, error=error))

    def dead(self, outbox_id: int, error: str) -> None:
        self._put(_Op("dead", outbox_id, error=error))

    def expired(self, outbox_id: int, error: str) -> None:
        self._put(_Op("expired", outbox_id, error=error))

    def deactivate(self, chat_id: int) -> None:
        self._put(_Op("deactivate", chat_id))

    def release(self, outbox_id: int) -> None:
        self._put(_Op("release", outbox_id))

    async def _run(self) -> None:
        while True:
            ops = [await self._queue.get()]
            while not self._queue.empty() and len(ops) < 2000:
                ops.append(self._queue.get_nowait())
            attempt = 0
            while True:  # never drop a batch: the rows would stay in ``sending`` for good
                try:
                    await asyncio.to_thread(self._write, ops)
                    break
                except Exception as err:
                    if self.failing_since is None:
                        self.failing_since = time.monotonic()
                        logger.exception("recorder.write_failed", extra={"ops": len(ops)})
                    else:
                        logger.warning(
                            "recorder.still_failing",
                            extra={"ops": len(ops), "error": type(err).__name__},
                        )
                    await asyncio.sleep(min(self.retry_cap_s, 0.1 * 2**attempt))
                    attempt += 1
            if self.failing_since is not None:
                logger.info("recorder.recovered", extra={"ops": len(ops)})
                self.failing_since = None
            self.commits += 1
            for op in ops:
                if op.kind != "deactivate":
                    self._held[op.outbox_id] -= 1
                    if self._held[op.outbox_id] <= 0:
                        del self._held[op.outbox_id]
                self._queue.task_done()

    def _write(self, ops: list[_Op]) -> None:
        now = self.clock()
        with session_scope(self.engine) as s:
            crud.record_delivered(
                s, [op.delivered for op in ops if op.delivered is not None], now=now
            )
            for op in ops:
                if op.kind == "retry" and op.at is not None:
                    crud.mark_retry(s, op.outbox_id, op.at, op.error)
                elif op.kind == "dead":
                    crud.mark_dead(s, op.outbox_id, op.error)
                elif op.kind == "expired":
                    crud.mark_expired(s, op.outbox_id, op.error)
                elif op.kind == "deactivate":
                    crud.deactivate_chat(s, op.outbox_id, now=now)
            releases = [op.outbox_id for op in ops if op.kind == "release"]
            crud.release(s, releases, now=now)
