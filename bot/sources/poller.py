"""Poll many public channels concurrently, each on its own interval.

One asyncio task per channel sleeps until the channel is due (waking early only on stop),
then fetches under a shared semaphore. A failing or slow channel only delays itself: errors
carry ``retry_at`` and the channel's task simply sleeps until then. ``last_seen`` advances
only after ``on_posts`` returns, so a crash before delivery re-fetches the same posts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.sources.telegram_web import (
    FetchResult,
    PreviewDisabled,
    RateLimited,
    SourceError,
    TransientError,
)
from bot.sources.tme_html import ChannelPost

logger = logging.getLogger(__name__)

OnPosts = Callable[[str, list[ChannelPost]], Awaitable[None]]
OnPoll = Callable[[str, "PollOutcome"], Awaitable[None]]


class PostSource(Protocol):
    edit_window: int

    async def fetch_new(
        self,
        username: str,
        last_seen_id: int,
        max_pages: int = 5,
        seen_digests: Mapping[int, str] | None = None,
    ) -> FetchResult: ...


@dataclass(frozen=True, slots=True)
class PollOutcome:
    status: Literal["ok", "error"]
    posts: int = 0  # delivered to on_posts
    last_seen_id: int = 0  # after this poll
    gap: bool = False
    error: str | None = None  # short message (no post text)
    kind: str | None = None  # rate_limited|preview_disabled|transient|http_error|crash|callback
    retry_at: float | None = None  # epoch seconds (poller clock); None for ok

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class ChannelPoller:
    def __init__(
        self,
        source: PostSource,
        channels: Mapping[str, float],
        *,
        on_posts: OnPosts,
        on_poll: OnPoll | None = None,
        last_seen: Mapping[str, int] | None = None,
        concurrency: int = 8,
        max_pages: int = 5,
        initial_spread: float = 0.0,
        clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
    ) -> None:
        """``channels`` maps username -> poll interval in seconds.

        ``initial_spread`` staggers first polls uniformly over that many seconds.
        """
        self._source = source
        self._intervals = dict(channels)
        self._on_posts, self._on_poll = on_posts, on_poll
        self._last_seen: dict[str, int] = {k: int(v) for k, v in (last_seen or {}).items()}
        self._digests: dict[str, dict[int, str]] = {}
        self._sem = asyncio.Semaphore(concurrency)
        self._max_pages = max_pages
        self._spread = initial_spread
        self._clock, self._rand = clock, rand
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stop = asyncio.Event()

    @property
    def last_seen(self) -> dict[str, int]:
        return dict(self._last_seen)

    @property
    def running(self) -> bool:
        return any(not t.done() for t in self._tasks.values())

    def start(self) -> None:
        self._stop.clear()
        for username in self._intervals:
            self._spawn(username)

    def add_channel(self, username: str, interval: float, last_seen_id: int | None = None) -> None:
        self._intervals[username] = interval
        if last_seen_id is not None:
            self._last_seen[username] = last_seen_id
        if self._tasks and not self._stop.is_set():
            self._spawn(username)

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop polling: idle channels stop at once, in-flight polls get ``timeout`` seconds."""
        self._stop.set()
        tasks = list(self._tasks.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks.clear()

    async def poll_once(self, username: str) -> PollOutcome:
        """Fetch one channel now, deliver and report. Never raises (except cancellation)."""
        async with self._sem:
            outcome = await self._poll(username)
        await self._report(username, outcome)
        return outcome

    def _spawn(self, username: str) -> None:
        old = self._tasks.get(username)
        if old is not None and not old.done():
            return
        self._tasks[username] = asyncio.create_task(
            self._run_channel(username), name=f"poll:{username}"
        )

    async def _run_channel(self, username: str) -> None:
        due = self._clock() + self._rand() * self._spread
        while not self._stop.is_set():
            if await self._sleep_until(due):
                return
            outcome = await self.poll_once(username)
            interval = self._intervals.get(username)
            if interval is None:
                return
            retry_at = outcome.retry_at
            if retry_at is not None:
                due = retry_at
            elif outcome.gap:  # still catching up after downtime: go on at once
                due = self._clock()
            else:
                due = self._clock() + interval

    async def _sleep_until(self, due: float) -> bool:
        """Sleep until ``due``; return True if stop was requested meanwhile."""
        delay = due - self._clock()
        if delay <= 0:
            return self._stop.is_set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=delay)
        return self._stop.is_set()

    async def _poll(self, username: str) -> PollOutcome:
        last = self._last_seen.get(username, 0)
        digests = self._digests.setdefault(username, {})
        try:
            result = await self._source.fetch_new(
                username, last, max_pages=self._max_pages, seen_digests=digests
            )
        except SourceError as exc:
            kind = _error_kind(exc)
            return PollOutcome(
                "error", last_seen_id=last, error=exc.message, kind=kind, retry_at=exc.retry_at
            )
        except Exception as exc:
            logger.exception("poller.fetch_crashed", extra={"channel": username})
            return PollOutcome("error", last_seen_id=last, error=type(exc).__name__, kind="crash")

        posts = result.posts
        if posts:
            try:
                await self._on_posts(username, posts)
            except Exception as exc:
                logger.exception("poller.on_posts_failed", extra={"channel": username})
                return PollOutcome(
                    "error", last_seen_id=last, error=type(exc).__name__, kind="callback"
                )
        new_last = max([last, *(p.message_id for p in posts if p.message_id > last)])
        self._last_seen[username] = new_last
        for p in posts:
            digests[p.message_id] = p.digest
        floor = new_last - self._source.edit_window
        for key in [k for k in digests if k <= floor]:
            del digests[key]
        logger.info(
            "poller.polled",
            extra={
                "channel": username,
                "posts": len(posts),
                "last_seen_id": new_last,
                "gap": result.gap,
            },
        )
        return PollOutcome("ok", posts=len(posts), last_seen_id=new_last, gap=result.gap)

    async def _report(self, username: str, outcome: PollOutcome) -> None:
        if self._on_poll is None:
            return
        try:
            await self._on_poll(username, outcome)
        except Exception:
            logger.exception("poller.on_poll_failed", extra={"channel": username})


def _error_kind(exc: SourceError) -> str:
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, PreviewDisabled):
        return "preview_disabled"
    if isinstance(exc, TransientError):
        return "transient"
    return "http_error"
