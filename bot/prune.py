"""Pruning: old posts, events, incidents, finished outbox rows and pictures go, on a schedule.

Retention comes from the settings (``SITREP_RETENTION_DAYS``, ``SITREP_OUTBOX_RETENTION_DAYS``;
:func:`bot.preflight.check_retention` keeps the first long enough for ``/history``). Work is
done in small batches, each its own short transaction on a worker thread, with a pause between
them so the pipeline and the dispatcher — SQLite's single writer — are never kept waiting long.
What ``storage/crud/prune.py`` calls live is never touched.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.metrics import Metrics
from bot.sources.telegram_web import EDIT_WINDOW
from storage import crud
from storage.db import session_scope

logger = logging.getLogger(__name__)
T = TypeVar("T")
PAUSE_S: Final = 0.05  # between batches: other writers take the lock
MAX_BATCHES: Final = 2000  # per table and run; the next run carries on


class Pruner:
    """One pruning run at a time; :meth:`run` returns the rows deleted per table."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        metrics: Metrics | None = None,
        *,
        batch: int = crud.PRUNE_BATCH,
        pause_s: float = PAUSE_S,
    ) -> None:
        self.engine = engine
        self.retention = timedelta(days=settings.retention_days)
        self.outbox_retention = timedelta(days=settings.outbox_retention_days)
        self.metrics = metrics
        self.batch = batch
        self.pause_s = pause_s
        self._lock = asyncio.Lock()

    async def _batch(self, fn: Callable[[Session], T]) -> T:
        def run() -> T:
            with session_scope(self.engine) as session:
                return fn(session)

        return await asyncio.to_thread(run)

    async def _drain(self, fn: Callable[[Session], int]) -> int:
        total = 0
        for _ in range(MAX_BATCHES):
            n = await self._batch(fn)
            total += n
            if n < self.batch:
                break
            await asyncio.sleep(self.pause_s)
        return total

    async def run(self, now: datetime) -> Counter[str]:
        """Prune everything older than the retention before ``now``."""
        async with self._lock:
            started = time.monotonic()
            done: Counter[str] = Counter()
            cutoff, outbox_cutoff = now - self.retention, now - self.outbox_retention
            b = self.batch
            done["outbox"] = await self._drain(lambda s: crud.prune_outbox(s, outbox_cutoff, b))
            keep = await self._batch(crud.newest_alert_posts)

            def posts(s: Session) -> int:
                n, events = crud.prune_posts(s, cutoff, keep=keep, keep_last=EDIT_WINDOW, batch=b)
                done["events"] += events
                return n

            def happenings(s: Session) -> int:
                n, messages = crud.prune_happenings(s, cutoff, b)
                done["live_messages"] += messages
                return n

            done["posts"] = await self._drain(posts)
            done["happenings"] = await self._drain(happenings)
            done["broadcasts"] = await self._drain(lambda s: crud.prune_broadcasts(s, cutoff, b))
            # pictures (a few a day): those no unsent message names, as old as the outbox's rows
            done["media"] = await self._batch(lambda s: crud.prune_media(s, outbox_cutoff))
            if self.metrics is not None:
                for table, n in done.items():
                    self.metrics.pruned.labels(table).inc(n)
            logger.info(
                "prune.done",
                extra={
                    **{table: done[table] for table in sorted(done)},
                    "retention_days": self.retention.days,
                    "outbox_retention_days": self.outbox_retention.days,
                    "seconds": round(time.monotonic() - started, 3),
                },
            )
            return done
