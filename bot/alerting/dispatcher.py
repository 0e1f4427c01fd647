"""``Dispatcher``: delivers the outbox through the Bot API, fast and within Telegram's limits.

Flow: the *claimer* moves due outbox rows to ``sending`` (short transactions, woken by the
sink or every ``poll_s``) and queues them per chat; the *pump* paces them through the global
token bucket to ``workers`` concurrent senders; the :class:`Recorder` writes outcomes in
group commits, so a row is marked ``sent`` milliseconds after Telegram answered.

Crash safety: the outbox row is the unit. A row is ``sending`` from claim to mark; on start
every ``sending`` row is put back (one dispatcher per database). Rows whose request Telegram
had executed when the process died — at most ``workers`` in flight plus one group commit —
are sent again: the window between Telegram's answer and our commit is the one unavoidable
at-least-once edge (the Bot API has no idempotency key). Everything else is exactly once:
sent rows are never re-sent, unsent rows are never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from telegram import Bot, LinkPreviewOptions
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.alerting.limiter import ChatScheduler, RateLimits, TokenBucket
from bot.alerting.recorder import Recorder
from bot.alerting.render import KYIV, MAX_LEN, split_html, u16len
from storage.crud import live as crud_live
from storage.crud import outbox as crud_outbox
from storage.crud.live import Delivered, Job
from storage.db import session_scope

logger = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MAX_ATTEMPTS = 8
GONE = ("chat not found", "bot was blocked", "user is deactivated", "bot was kicked")


@dataclass
class DispatchStats:
    """Counters for logs, metrics and the benchmark."""

    sent: int = 0
    edited: int = 0
    unchanged: int = 0
    rate_limited: int = 0
    network_errors: int = 0
    dead: int = 0
    deactivated: int = 0


def in_quiet_hours(start: int | None, end: int | None, moment: datetime) -> bool:
    """Whether ``moment`` (Europe/Kyiv) falls in [start, end) minutes, wrapping midnight."""
    if start is None or end is None or start == end:
        return False
    local = moment.astimezone(KYIV)
    minute = local.hour * 60 + local.minute
    return start <= minute < end if start < end else (minute >= start or minute < end)


def backoff_s(attempts: int) -> float:
    """Exponential backoff with jitter: ~1 s, 2 s, 4 s … capped at 5 minutes."""
    return random.uniform(0.5, 1.0) * min(300.0, 2.0 ** max(0, attempts - 1))


def _retry_after_s(err: RetryAfter) -> float:
    with warnings.catch_warnings():  # int vs timedelta deprecation in PTB 22
        warnings.simplefilter("ignore")
        value = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Dispatcher:
    """Sends what the outbox holds. ``await start()``, ``wake()`` any time, ``await stop()``.

    ``bot`` must be initialized (``await bot.initialize()`` or ``async with bot``); give it an
    ``HTTPXRequest(connection_pool_size=workers)`` (see :func:`bot.alerting.make_bot`).
    """

    def __init__(
        self,
        engine: Engine,
        bot: Bot,
        *,
        limits: RateLimits | None = None,
        workers: int = 8,
        batch: int | None = None,
        poll_s: float = 1.0,
        stop_grace_s: float = 3.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.bot = bot
        self.limits = limits or RateLimits()
        self.workers = max(1, workers)
        rate = self.limits.global_per_s
        self.batch = batch or (1000 if rate <= 0 else int(min(1000, max(100, rate * 3))))
        self.poll_s = poll_s
        self.stop_grace_s = stop_grace_s
        self.clock = clock
        self.stats = DispatchStats()
        self._global = TokenBucket(rate, self.limits.global_burst, time.monotonic())
        self._sched: ChatScheduler[Job] = ChatScheduler(
            self.limits, lambda j: j.chat_id, lambda j: j.chat_type != "private"
        )
        self._ready: asyncio.Queue[Job] = asyncio.Queue(maxsize=self.workers)
        self.recorder = Recorder(engine, clock)
        self._live: dict[int, tuple[int, str]] = {}  # live_id -> (message id, text shown)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._stopping = False
        self._claimed = 0  # claimed and not finished (queued, ready or in flight)
        self._inflight: dict[int, Job] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._recent_429: list[float] = []
        self._more_due = False
        self._in_hand: Job | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Requeue rows a previous run left in ``sending``, then start delivering."""
        self._loop = asyncio.get_running_loop()
        requeued = await asyncio.to_thread(self._requeue)
        if requeued:
            logger.warning("dispatcher.requeued_stale", extra={"rows": requeued})
        self.recorder.start()
        self._tasks = [
            asyncio.create_task(self._claim_loop(), name="outbox-claim"),
            asyncio.create_task(self._pump(), name="outbox-pump"),
            *(
                asyncio.create_task(self._worker(), name=f"outbox-send-{i}")
                for i in range(self.workers)
            ),
        ]

    def _requeue(self) -> int:
        now = self.clock()
        with session_scope(self.engine) as s:
            return crud_outbox.requeue_stale_sending(s, now + timedelta(seconds=1), now=now)

    def wake(self) -> None:
        """Start a round now (the sink calls this after the pipeline committed)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            same = asyncio.get_running_loop() is loop
        except RuntimeError:
            same = False
        if same:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    @property
    def busy(self) -> int:
        """Rows claimed and not yet finished."""
        return self._claimed

    async def stop(self) -> None:
        """Stop claiming, let in-flight sends finish (``stop_grace_s``), hand the rest back."""
        if self._stopping or not self._tasks:
            return
        self._stopping = True
        self._sched.close()
        claim, pump, *workers = self._tasks
        for task in (claim, pump):
            task.cancel()
        await asyncio.gather(claim, pump, return_exceptions=True)
        leftover = self._sched.drain()
        if self._in_hand is not None:
            leftover.append(self._in_hand)
        while not self._ready.empty():
            leftover.append(self._ready.get_nowait())
        if self._inflight:
            self._idle.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), self.stop_grace_s)
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        leftover.extend(self._inflight.values())  # cut off: outcome unknown, sent again later
        for job in leftover:
            self.recorder.release(job.outbox_id)
        await self.recorder.stop()
        logger.info("dispatcher.stopped", extra={"released": len(leftover)})

    # ---- claiming --------------------------------------------------------------------------

    async def _claim_loop(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before claiming: a wake during the claim is not lost
            room = self.batch - self._claimed
            if room >= max(1, self.batch // 4):
                try:
                    jobs, orphans = await asyncio.to_thread(self._claim, room)
                except Exception:
                    logger.exception("dispatcher.claim_failed")
                    jobs, orphans = [], []
                for outbox_id in orphans:
                    self.recorder.dead(outbox_id, "chat inactive or no live message")
                self._claimed += len(jobs)
                for job in jobs:
                    self._sched.add(job)
                self._more_due = len(jobs) + len(orphans) >= room
                if self._more_due and self._claimed < self.batch // 2:
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_s)

    def _claim(self, limit: int) -> tuple[list[Job], list[int]]:
        with session_scope(self.engine) as s:
            rows = crud_outbox.claim_due(s, limit, now=self.clock())
            ids = [r.id for r in rows if r.id is not None]
            jobs = crud_live.jobs_for(s, ids)
        found = {j.outbox_id for j in jobs}
        return jobs, [i for i in ids if i not in found]

    # ---- pacing and sending ----------------------------------------------------------------

    async def _pump(self) -> None:
        while True:
            job = await self._sched.take()
            if job is None:
                return
            self._in_hand = job  # stop() hands it back if cancelled here
            delay = self._global.reserve(time.monotonic())
            if delay > 0:
                await asyncio.sleep(delay)
            await self._ready.put(job)
            self._in_hand = None

    async def _worker(self) -> None:
        while True:
            job = await self._ready.get()
            self._inflight[job.outbox_id] = job
            try:
                await self._deliver(job)
            except Exception as err:  # one bad row never kills a worker
                logger.exception("dispatcher.unexpected", extra={"chat_id": job.chat_id})
                self._retry(job, f"{type(err).__name__}: {err}")
            del self._inflight[job.outbox_id]
            if not self._inflight:
                self._idle.set()

    async def _deliver(self, job: Job) -> None:
        known = self._live.get(job.live_id) if job.live_id is not None else None
        message_id, shown = known or (job.telegram_message_id, job.sent_text)
        if message_id is not None and shown == job.text:
            self.stats.unchanged += 1
            return self._sent(job, message_id)
        silent = in_quiet_hours(job.quiet_start, job.quiet_end, self.clock())
        try:
            if message_id is None:
                message_id = await self._send_new(job, silent)
            else:
                message_id = await self._edit(job, message_id, silent)
        except RetryAfter as err:
            return self._rate_limited(job, _retry_after_s(err))
        except ChatMigrated as err:
            return self._dead(job, f"chat migrated to {err.new_chat_id}")
        except Forbidden as err:
            return self._gone(job, str(err))
        except BadRequest as err:
            if any(g in str(err).lower() for g in GONE):
                return self._gone(job, str(err))
            return self._dead(job, str(err))
        except NetworkError as err:  # includes TimedOut: the request may or may not have run
            self.stats.network_errors += 1
            return self._retry(job, f"{type(err).__name__}: {err}")
        self._sent(job, message_id)

    async def _send_new(self, job: Job, silent: bool) -> int:
        parts = split_html(job.text) if u16len(job.text) > MAX_LEN else [job.text]
        first: int | None = None
        for part in parts:
            msg = await self.bot.send_message(
                job.chat_id,
                part,
                parse_mode="HTML",
                link_preview_options=NO_PREVIEW,
                disable_notification=silent,
            )
            first = msg.message_id if first is None else first
        self.stats.sent += 1
        assert first is not None
        return first

    async def _edit(self, job: Job, message_id: int, silent: bool) -> int:
        text = split_html(job.text)[0] if u16len(job.text) > MAX_LEN else job.text
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=job.chat_id,
                message_id=message_id,
                parse_mode="HTML",
                link_preview_options=NO_PREVIEW,
            )
        except BadRequest as err:
            reason = str(err).lower()
            if "message is not modified" in reason:
                self.stats.unchanged += 1
                return message_id
            if "message to edit not found" in reason or "message can't be edited" in reason:
                return await self._send_new(job, silent)
            raise
        self.stats.edited += 1
        return message_id

    # ---- outcomes --------------------------------------------------------------------------

    def _sent(self, job: Job, message_id: int) -> None:
        if job.live_id is not None:
            self._live[job.live_id] = (message_id, job.text)
            if len(self._live) > 200_000:
                self._live.pop(next(iter(self._live)))
        self.recorder.sent(Delivered(job.outbox_id, job.live_id, job.text, message_id))
        self._release_chat(job)

    def _release_chat(self, job: Job, *, pause_s: float = 0.0, again: bool = False) -> None:
        self._sched.done(job, pause_s=pause_s, again=again)
        if not again:
            self._claimed -= 1
            if self._more_due and self._claimed < self.batch // 2:
                self._more_due = False
                self._wake.set()  # refill before the queue runs dry

    def _rate_limited(self, job: Job, retry_after: float) -> None:
        """429: wait as told. Several chats limited within a second → pause everyone."""
        self.stats.rate_limited += 1
        now = time.monotonic()
        self._recent_429 = [t for t in self._recent_429 if now - t < 1.0] + [now]
        if len(self._recent_429) >= 3:
            self._global.pause(retry_after, now)
        logger.warning(
            "dispatcher.rate_limited", extra={"chat_id": job.chat_id, "retry_after": retry_after}
        )
        self._release_chat(job, pause_s=retry_after, again=True)

    def _retry(self, job: Job, error: str) -> None:
        if job.attempts >= MAX_ATTEMPTS:
            return self._dead(job, error)
        at = self.clock() + timedelta(seconds=backoff_s(job.attempts))
        logger.warning("dispatcher.retry", extra={"chat_id": job.chat_id, "attempts": job.attempts})
        self.recorder.retry(job.outbox_id, at, error)
        self._release_chat(job)

    def _dead(self, job: Job, error: str) -> None:
        self.stats.dead += 1
        logger.warning("dispatcher.dead", extra={"chat_id": job.chat_id, "error": error})
        self.recorder.dead(job.outbox_id, error)
        self._release_chat(job)

    def _gone(self, job: Job, error: str) -> None:
        """403 / chat gone: deactivate the chat and drop what we hold for it."""
        self.stats.deactivated += 1
        logger.info("dispatcher.chat_gone", extra={"chat_id": job.chat_id, "error": error})
        self.recorder.dead(job.outbox_id, error)
        for other in self._sched.drop_chat(job.chat_id):
            self.recorder.dead(other.outbox_id, "chat deactivated")
            self._claimed -= 1
        self.recorder.deactivate(job.chat_id)
        self._release_chat(job)
