"""Rate limiting for sending: token buckets and a per-chat scheduler.

Telegram allows ~30 messages/s overall (more with paid broadcasts), 1/s per chat and 20/min
per group. Staying under that ourselves is much cheaper than collecting 429s: the global
bucket paces hand-outs (reservation style: waiters queue up as negative tokens, so many
workers still produce an even stream), and each chat has its own bucket and is never sent
two messages at once, which also keeps a chat's messages in order.

Jobs have a priority (0 first): among the chats that may send now, the one whose next job has
the best priority goes first, and within a chat a threat overtakes queued reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Our own sending limits (a little under Telegram's). ``global_per_s=0``: unlimited."""

    global_per_s: float = 30.0
    global_burst: float = 5.0
    per_chat_per_s: float = 1.0
    per_chat_burst: float = 1.0
    per_group_per_min: float = 20.0
    per_group_burst: float = 3.0


class TokenBucket:
    """A token bucket that hands out reservations: ``reserve()`` returns how long to wait."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self.tokens = self.burst
        self.stamp = now

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def reserve(self, now: float) -> float:
        """Take one token (possibly in advance); seconds until it is really available."""
        if self.rate <= 0:
            return 0.0
        self._refill(now)
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def ready_in(self, now: float) -> float:
        """Seconds until a token is available, without taking it."""
        if self.rate <= 0:
            return 0.0
        self._refill(now)
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def pause(self, seconds: float, now: float) -> None:
        """No token for ``seconds`` (Telegram said ``retry_after``)."""
        if self.rate <= 0:
            return
        self._refill(now)
        self.tokens = min(self.tokens, 1.0 - seconds * self.rate)


@dataclass
class _ChatQueue(Generic[T]):
    bucket: TokenBucket
    jobs: deque[T] = field(default_factory=deque)
    busy: bool = False
    scheduled: bool = False
    entry: int = -1  # seq of the chat's live heap entry; older entries are stale
    entry_priority: int = 0
    not_before: float = 0.0
    last_used: float = 0.0


class ChatScheduler(Generic[T]):
    """Jobs per chat; ``take`` returns the next job whose chat may send now (one per chat
    in flight), waiting as needed. ``done`` frees the chat, optionally after a pause."""

    def __init__(
        self,
        limits: RateLimits,
        chat_of: Callable[[T], int],
        is_group: Callable[[T], bool],
        clock: Callable[[], float] = time.monotonic,
        priority_of: Callable[[T], int] = lambda _job: 0,
    ) -> None:
        self.limits = limits
        self.chat_of = chat_of
        self.is_group = is_group
        self.clock = clock
        self.priority_of = priority_of
        self._chats: dict[int, _ChatQueue[T]] = {}
        self._heaps: dict[int, list[tuple[float, int, int]]] = {}
        self._seq = itertools.count()
        self._changed = asyncio.Event()
        self._closed = False
        self.queued = 0

    def _bucket(self, group: bool) -> TokenBucket:
        lim = self.limits
        if group:
            return TokenBucket(lim.per_group_per_min / 60.0, lim.per_group_burst, self.clock())
        return TokenBucket(lim.per_chat_per_s, lim.per_chat_burst, self.clock())

    def _schedule(self, chat_id: int, q: _ChatQueue[T]) -> None:
        if q.busy or not q.jobs:
            return
        priority = self.priority_of(q.jobs[0])
        if q.scheduled and q.entry_priority <= priority:
            return
        now = self.clock()
        ready = max(now + q.bucket.ready_in(now), q.not_before)
        seq = next(self._seq)
        heapq.heappush(self._heaps.setdefault(priority, []), (ready, seq, chat_id))
        q.scheduled, q.entry, q.entry_priority = True, seq, priority
        self._changed.set()

    def add(self, job: T) -> None:
        chat_id = self.chat_of(job)
        q = self._chats.get(chat_id)
        if q is None:
            q = self._chats[chat_id] = _ChatQueue(self._bucket(self.is_group(job)))
        priority = self.priority_of(job)
        if q.jobs and self.priority_of(q.jobs[-1]) > priority:  # overtake lesser classes
            at = next(i for i, j in enumerate(q.jobs) if self.priority_of(j) > priority)
            q.jobs.insert(at, job)
        else:
            q.jobs.append(job)
        self.queued += 1
        self._schedule(chat_id, q)

    def _next_entry(self, now: float) -> tuple[int, float]:
        """(priority of the best ready heap, 0) or (-1, seconds until one is ready)."""
        wait = float("inf")
        for priority in sorted(self._heaps):
            heap = self._heaps[priority]
            while heap:  # drop stale entries (superseded or forgotten chats)
                q = self._chats.get(heap[0][2])
                if q is not None and q.scheduled and q.entry == heap[0][1]:
                    break
                heapq.heappop(heap)
            if not heap:
                continue
            if heap[0][0] <= now:
                return priority, 0.0
            wait = min(wait, heap[0][0] - now)
        return -1, wait

    async def take(self) -> T | None:
        """The next sendable job (best priority among the chats that may send), or ``None``
        once closed."""
        while not self._closed:
            now = self.clock()
            priority, wait = self._next_entry(now)
            if priority < 0:
                self._changed.clear()
                if wait == float("inf"):
                    await self._changed.wait()
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), wait)
                continue
            _, _, chat_id = heapq.heappop(self._heaps[priority])
            q = self._chats[chat_id]
            q.scheduled = False
            if q.busy or not q.jobs:
                continue
            if q.bucket.reserve(now) > 0:  # raced with a pause: try again later
                q.bucket.tokens += 1.0
                self._schedule(chat_id, q)
                continue
            q.busy = True
            q.last_used = now
            self.queued -= 1
            return q.jobs.popleft()
        return None

    def done(self, job: T, *, pause_s: float = 0.0, again: bool = False) -> None:
        """The chat's in-flight job finished; ``again`` puts it back first in line."""
        chat_id = self.chat_of(job)
        q = self._chats[chat_id]
        q.busy = False
        now = self.clock()
        if pause_s > 0:
            q.not_before = max(q.not_before, now + pause_s)
        if again:
            q.jobs.appendleft(job)
            self.queued += 1
        self._schedule(chat_id, q)
        self._prune(now)

    def drop_chat(self, chat_id: int) -> list[T]:
        """Remove and return the chat's queued jobs (chat blocked the bot)."""
        q = self._chats.get(chat_id)
        if q is None:
            return []
        dropped = list(q.jobs)
        q.jobs.clear()
        self.queued -= len(dropped)
        return dropped

    def drain(self) -> list[T]:
        """Remove and return every queued job (not the in-flight ones)."""
        out: list[T] = []
        for q in self._chats.values():
            out.extend(q.jobs)
            q.jobs.clear()
        self.queued = 0
        self._heaps.clear()
        for q in self._chats.values():
            q.scheduled = False
        return out

    def close(self) -> None:
        self._closed = True
        self._changed.set()

    def _prune(self, now: float) -> None:
        # Forget idle chats after a minute (their buckets are full again by then).
        if len(self._chats) < 4096:
            return
        idle = [
            cid
            for cid, q in self._chats.items()
            if not q.jobs and not q.busy and now - q.last_used > 60 and q.not_before < now
        ]
        for cid in idle:
            del self._chats[cid]
