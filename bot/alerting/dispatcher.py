"""``Dispatcher``: delivers the outbox through the Bot API, fast and within Telegram's limits.

Flow: the *claimer* moves due outbox rows to ``sending`` (short transactions, woken by the
sink or every ``poll_s``) and queues them per chat; the *pump* paces them through the global
token bucket to ``workers`` concurrent senders; the :class:`Recorder` writes outcomes in
group commits, so a row is marked ``sent`` milliseconds after Telegram answered.

Priority: claiming and pacing take threats before reports before digests (the row's class).

Outages (:mod:`bot.alerting.policy`): a network failure never kills a row; it waits with
capped, jittered backoff until its class's time to live runs out and is then ``expired``.
Failures in a row open a circuit breaker: queued rows go back to the outbox, claiming pauses
and ``getMe`` probes until Telegram answers. ``health`` says so for ``/healthz``.

Crash safety: the outbox row is the unit. A row is ``sending`` from claim to mark, under a
lease this process renews; on start every ``sending`` row is put back when the dispatcher is
alone on its database (``exclusive``), and a periodic sweep requeues rows whose lease ran out
(never the ones a live dispatcher holds, so several instances can share one outbox). Rows whose request Telegram
had executed when the process died — at most ``workers`` in flight plus one group commit —
are sent again: the window between Telegram's answer and our commit is the one unavoidable
at-least-once edge (the Bot API has no idempotency key). Everything else is exactly once:
sent rows are never re-sent, unsent rows are never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.alerting.limiter import ChatScheduler, RateLimits, TokenBucket
from bot.alerting.maintenance import health_of, maintain
from bot.alerting.photos import PhotoStore
from bot.alerting.policy import CircuitBreaker, DeliveryPolicy, backoff_s
from bot.alerting.quiet import silent
from bot.alerting.recorder import Recorder
from bot.alerting.render import KYIV
from bot.alerting.sending import (
    GONE,
    DispatchStats,
    edit,
    retry_after_s,
    send_new,
    send_with_photo,
)
from storage import crud
from storage.db import session_scope
from storage.models import OUTBOX_CLASSES

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8  # for unexpected errors only; network failures wait for the time to live


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
        policy: DeliveryPolicy | None = None,
        tz: ZoneInfo = KYIV,
        exclusive: bool = True,
    ) -> None:
        """``exclusive``: this is the only dispatcher on the database, so every row left in
        ``sending`` at start is a dead predecessor's; with several instances (``False``) only
        rows whose lease ran out are taken back."""
        self.engine = engine
        self.exclusive = exclusive
        self.tz = tz  # quiet hours are read in the configured zone
        self.bot = bot
        self.limits = limits or RateLimits()
        self.workers = max(1, workers)
        rate = self.limits.global_per_s
        self.batch = batch or (1000 if rate <= 0 else int(min(1000, max(100, rate * 3))))
        self.poll_s = poll_s
        self.stop_grace_s = stop_grace_s
        self.clock = clock
        self.stats = DispatchStats()
        self.policy = policy or DeliveryPolicy()
        p = self.policy
        self.breaker = CircuitBreaker(p.breaker_after, p.breaker_base_s, p.breaker_max_s)
        self._global = TokenBucket(rate, self.limits.global_burst, time.monotonic())
        self._sched: ChatScheduler[crud.Job] = ChatScheduler(
            self.limits,
            lambda j: j.chat_id,
            lambda j: j.chat_type != "private",
            priority_of=(lambda j: j.priority) if p.priority else (lambda _j: 0),
        )
        self._mine: set[int] = set()  # claimed by this process and not finished
        self._ready: asyncio.Queue[crud.Job] = asyncio.Queue(maxsize=self.workers)
        self.recorder = Recorder(engine, clock)
        # live_id -> (message id, text shown, shown as a photo's caption)
        self._live: dict[int, tuple[int, str, bool]] = {}
        self.photos = PhotoStore(engine)
        self._photo_sent: dict[int, int] = {}  # outbox id -> photo sent before its text failed
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._stopping = False
        self._claimed = 0  # claimed and not finished (queued, ready or in flight)
        self._inflight: dict[int, crud.Job] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._recent_429: list[float] = []
        self._more_due = False
        self._in_hand: crud.Job | None = None

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
            asyncio.create_task(self._maintain_loop(), name="outbox-maintain"),
            *(
                asyncio.create_task(self._worker(), name=f"outbox-send-{i}")
                for i in range(self.workers)
            ),
        ]

    def _requeue(self) -> int:
        now = self.clock()
        before = now + timedelta(seconds=1)
        if not self.exclusive:
            before = now - timedelta(seconds=self.policy.stale_after_s)
        with session_scope(self.engine) as s:
            return crud.requeue_stale_sending(s, before, now=now)

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

    @property
    def alive(self) -> bool:
        """Started, and none of its loops has ended (a loop that ends has crashed)."""
        return bool(self._tasks) and all(not t.done() for t in self._tasks)

    @property
    def health(self) -> tuple[bool, str]:
        """For ``/healthz``: failing while Telegram does not answer or outcomes cannot be
        written; the detail names what fails."""
        return health_of(self.alive, self.breaker, self.recorder, self._claimed)

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
        await self.recorder.stop(timeout=self.stop_grace_s)
        logger.info("dispatcher.stopped", extra={"released": len(leftover)})

    # ---- claiming --------------------------------------------------------------------------

    async def _claim_loop(self) -> None:
        while not self._stopping:
            if self.breaker.is_open and not await self._probe():
                continue
            self._wake.clear()  # before claiming: a wake during the claim is not lost
            room = self.batch - self._claimed
            if room >= max(1, self.batch // 4):
                try:
                    jobs, orphans = await asyncio.to_thread(self._claim, room)
                except Exception as err:
                    logger.warning("dispatcher.claim_failed", extra={"error": repr(err)[:200]})
                    jobs, orphans = [], []
                for outbox_id in orphans:
                    self.recorder.dead(outbox_id, "chat inactive or no live message")
                now = self.clock()
                for job in jobs:
                    if self._overdue(job, now):
                        self._expire(job)
                        continue
                    self._claimed += 1
                    self._mine.add(job.outbox_id)
                    self._sched.add(job)
                self._more_due = len(jobs) + len(orphans) >= room
                if self._more_due and self._claimed < self.batch // 2:
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_s)

    async def _probe(self) -> bool:
        """Breaker open: wait for the next probe, ask ``getMe``; ``True`` once it answers."""
        delay = self.breaker.next_probe - time.monotonic()
        if delay > 0:
            await asyncio.sleep(min(delay, self.poll_s))
            return False
        try:
            await self.bot.get_me()
        except NetworkError as err:
            self.breaker.probe_failed(time.monotonic())
            logger.info("dispatcher.probe_failed", extra={"error": str(err)[:200]})
            return False
        except Exception:  # the API answered something: it is up
            pass
        logger.warning("dispatcher.breaker_closed", extra={"failures": self.breaker.failures})
        self.breaker.success()
        try:  # rows that failed during the outage need not wait out their backoff
            await asyncio.to_thread(self._retry_now)
        except Exception as err:
            logger.warning("dispatcher.retry_now_failed", extra={"error": repr(err)[:200]})
        return True

    def _retry_now(self) -> None:
        with session_scope(self.engine) as s:
            crud.retry_now(s, now=self.clock())

    def _open_breaker(self) -> None:
        """Whole API failing: hand every queued row back (no attempt counted), pause claiming."""
        self.stats.breaker_opened += 1
        queued = self._sched.drain()
        for job in queued:
            self.recorder.release(job.outbox_id)
            self._mine.discard(job.outbox_id)
        self._claimed -= len(queued)
        logger.error(
            "dispatcher.breaker_open",
            extra={"failures": self.breaker.failures, "released": len(queued)},
        )

    def _claim(self, limit: int) -> tuple[list[crud.Job], list[int]]:
        with session_scope(self.engine) as s:
            rows = crud.claim_due(s, limit, now=self.clock(), by_priority=self.policy.priority)
            ids = [r.id for r in rows if r.id is not None]
            jobs = crud.jobs_for(s, ids)
        found = {j.outbox_id for j in jobs}
        return jobs, [i for i in ids if i not in found]

    async def _maintain_loop(self) -> None:
        """Periodically: renew our claims, expire what outlived its class, requeue rows whose
        lease ran out. After a round the database missed, the next only renews: every other
        instance missed its renewals too, and must get its turn before anyone's lease counts."""
        renewed = True
        while not self._stopping:
            await asyncio.sleep(self.policy.maintain_every_s)
            keep = self._mine | self.recorder.held
            done = await maintain(self.engine, self.policy, self.clock(), keep, requeue=renewed)
            renewed = done is not None
            if done is not None and any(done):
                self.stats.expired += done[0]
                self.stats.requeued += done[1]
                self._wake.set()

    def _overdue(self, job: crud.Job, now: datetime) -> bool:
        ttl = self.policy.ttl_for(OUTBOX_CLASSES[job.priority])
        return (
            ttl > 0 and job.created_at is not None and now - job.created_at > timedelta(seconds=ttl)
        )

    def _expire(self, job: crud.Job) -> None:
        self.stats.expired += 1
        logger.warning(
            "dispatcher.expired",
            extra={"chat_id": job.chat_id, "class": OUTBOX_CLASSES[job.priority]},
        )
        self.recorder.expired(job.outbox_id, "expired: time to live ran out")

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

    async def _deliver(self, job: crud.Job) -> None:
        known = self._live.get(job.live_id) if job.live_id is not None else None
        if known is not None and known[2] != job.captioned:
            job = replace(job, captioned=known[2])  # sent moments ago, not yet recorded
        message_id, shown = known[:2] if known else (job.telegram_message_id, job.sent_text)
        if message_id is not None and shown == job.text:
            self.stats.unchanged += 1
            return self._sent(job, message_id)
        quiet = silent(  # quiet hours in the configured zone; a threat still rings
            OUTBOX_CLASSES[job.priority],
            job.quiet_start,
            job.quiet_end,
            job.quiet_all,
            self.clock(),
            self.tz,
        )
        captioned: bool | None = None
        try:
            if message_id is None and job.media_key is not None:
                message_id, captioned = await send_with_photo(
                    self.bot, self.photos, job, quiet, self._photo_sent
                )
                self.stats.sent += 1
            elif message_id is None:
                message_id = await send_new(self.bot, job, quiet)
                captioned = False if job.captioned else None
                self.stats.sent += 1
            else:
                message_id, outcome = await edit(self.bot, job, message_id, quiet)
                setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
                if outcome == "sent":
                    captioned = False  # sent anew as text
        except RetryAfter as err:
            return self._rate_limited(job, retry_after_s(err))
        except ChatMigrated as err:
            self.breaker.success()  # Telegram answered: the API is up
            return self._dead(job, f"chat migrated to {err.new_chat_id}")
        except Forbidden as err:
            self.breaker.success()
            return self._gone(job, str(err))
        except BadRequest as err:
            self.breaker.success()
            if any(g in str(err).lower() for g in GONE):
                return self._gone(job, str(err))
            return self._dead(job, str(err))
        except NetworkError as err:  # includes TimedOut: the request may or may not have run
            self.stats.network_errors += 1
            if self.breaker.failure(time.monotonic()):
                self._open_breaker()
            return self._retry(job, f"{type(err).__name__}: {err}", network=True)
        self._sent(job, message_id, captioned)

    # ---- outcomes --------------------------------------------------------------------------

    def _sent(self, job: crud.Job, message_id: int, captioned: bool | None = None) -> None:
        self.breaker.success()
        if job.live_id is not None:
            shown_as = job.captioned if captioned is None else captioned
            self._live[job.live_id] = (message_id, job.text, shown_as)
            if len(self._live) > 200_000:
                self._live.pop(next(iter(self._live)))
        self.recorder.sent(
            crud.Delivered(job.outbox_id, job.live_id, job.text, message_id, captioned)
        )
        self._release_chat(job)

    def _release_chat(self, job: crud.Job, *, pause_s: float = 0.0, again: bool = False) -> None:
        self._sched.done(job, pause_s=pause_s, again=again)
        if not again:
            self._claimed -= 1
            self._mine.discard(job.outbox_id)
            if self._more_due and self._claimed < self.batch // 2:
                self._more_due = False
                self._wake.set()  # refill before the queue runs dry

    def _rate_limited(self, job: crud.Job, retry_after: float) -> None:
        """429: wait as told. Several chats limited within a second → pause everyone."""
        self.stats.rate_limited += 1
        self.breaker.success()
        now = time.monotonic()
        self._recent_429 = [t for t in self._recent_429 if now - t < 1.0] + [now]
        if len(self._recent_429) >= 3:
            self._global.pause(retry_after, now)
        logger.warning(
            "dispatcher.rate_limited", extra={"chat_id": job.chat_id, "retry_after": retry_after}
        )
        self._release_chat(job, pause_s=retry_after, again=True)

    def _retry(self, job: crud.Job, error: str, *, network: bool = False) -> None:
        """Try again later; a network failure waits for the class's time to live, anything
        else gives up after ``MAX_ATTEMPTS``."""
        now = self.clock()
        if self._overdue(job, now):
            self._expire(job)
            return self._release_chat(job)
        if not network and job.attempts >= MAX_ATTEMPTS:
            return self._dead(job, error)
        at = now + timedelta(seconds=backoff_s(job.attempts, self.policy.retry_cap_s))
        logger.warning("dispatcher.retry", extra={"chat_id": job.chat_id, "attempts": job.attempts})
        self.recorder.retry(job.outbox_id, at, error)
        self._release_chat(job)

    def _dead(self, job: crud.Job, error: str) -> None:
        self.stats.dead += 1
        logger.warning("dispatcher.dead", extra={"chat_id": job.chat_id, "error": error})
        self.recorder.dead(job.outbox_id, error)
        self._release_chat(job)

    def _gone(self, job: crud.Job, error: str) -> None:
        """403 / chat gone: deactivate the chat and drop what we hold for it."""
        self.stats.deactivated += 1
        logger.info("dispatcher.chat_gone", extra={"chat_id": job.chat_id, "error": error})
        self.recorder.dead(job.outbox_id, error)
        for other in self._sched.drop_chat(job.chat_id):
            self.recorder.dead(other.outbox_id, "chat deactivated")
            self._claimed -= 1
            self._mine.discard(other.outbox_id)
        self.recorder.deactivate(job.chat_id)
        self._release_chat(job)
