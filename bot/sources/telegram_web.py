"""Client for t.me public channel previews (``/s/<username>``).

``TelegramWebSource.fetch_new`` never sleeps: on a failure it records the failure in the
channel's :class:`Backoff` and raises a :class:`SourceError` carrying ``retry_at`` (seconds
since the epoch, by the injected clock) so that the poller can schedule the channel again
without stalling any other channel.

Recovery is quick by design: a channel's backoff is capped at about two minutes, a redirect
to a login page (preview disabled) is re-checked after a minute and only repeated redirects
wait longer, and a page larger than ``max_body_bytes`` is cut off while streaming (an error,
never the whole body in memory).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Self
from urllib.parse import urljoin, urlsplit

import httpx

from bot.sources.tme_html import ChannelPost, ParsedPage, parse_channel_page

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://t.me"
USER_AGENT = "SitrepBot/0.1 (+https://github.com/sitrep-ua/sitrep)"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=16, max_keepalive_connections=8, keepalive_expiry=30)
MAX_BODY_BYTES = 2 * 1024 * 1024  # a preview page is ~100 KB; anything this big is not one
EDIT_WINDOW = 50  # posts this far below last_seen_id are re-read for edits (never pruned)

Clock = Callable[[], float]
Rand = Callable[[], float]


class Backoff:
    """Per-channel exponential backoff with full jitter.

    The n-th consecutive failure (n from 0) waits ``uniform(0, min(cap, base * 2**n))``,
    but at least ``floor`` seconds and at least any server-given ``Retry-After``.
    """

    def __init__(
        self,
        *,
        base: float = 5.0,
        cap: float = 120.0,
        floor: float = 1.0,
        clock: Clock = time.time,
        rand: Rand = random.random,
    ) -> None:
        self.base, self.cap, self.floor = base, cap, floor
        self._clock, self._rand = clock, rand
        self.attempts = 0
        self.retry_at: float | None = None

    def ceiling(self, attempt: int) -> float:
        return max(self.floor, min(self.cap, self.base * 2.0 ** min(attempt, 60)))

    def delay(self, attempt: int) -> float:
        return max(self.floor, self._rand() * self.ceiling(attempt))

    def failure(self, retry_after: float | None = None) -> float:
        """Record a failure; return the absolute time before which not to retry."""
        wait = self.delay(self.attempts)
        if retry_after is not None:
            wait = max(wait, retry_after)
        self.attempts += 1
        self.retry_at = self._clock() + wait
        return self.retry_at

    def success(self) -> None:
        self.attempts = 0
        self.retry_at = None


class SourceError(Exception):
    """A fetch failed; do not poll the channel again before ``retry_at``."""

    def __init__(self, username: str, message: str, retry_at: float) -> None:
        super().__init__(f"{username}: {message}")
        self.username, self.message, self.retry_at = username, message, retry_at


class TransientError(SourceError):
    """Timeout, connection failure or 5xx."""


class RateLimited(TransientError):
    """HTTP 429; ``retry_after`` is what the server asked for (seconds), if anything."""

    def __init__(
        self, username: str, message: str, retry_at: float, retry_after: float | None
    ) -> None:
        super().__init__(username, message, retry_at)
        self.retry_after = retry_after


class PreviewDisabled(SourceError):
    """The channel has no public preview (t.me redirects /s/<name> to /<name>)."""


class UnreadablePage(TransientError):
    """A 200 answer that is not a readable preview page: an error, not "nothing new"."""


class TooLarge(TransientError):
    """The answer exceeded ``max_body_bytes``; reading stopped there."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    posts: list[ChannelPost]  # ascending by id: new ones, plus recently edited ones
    reached_last_seen: bool  # the pages reached back to last_seen_id (or the channel start)
    gap: bool  # paging stopped at max_pages before reaching last_seen_id
    pages: int = 1
    highest_id: int | None = None
    skipped: int = 0
    new_ids: frozenset[int] = field(default_factory=frozenset)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


class TelegramWebSource:
    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        edit_window: int = EDIT_WINDOW,
        max_retry_after: float = 600.0,
        preview_disabled_recheck: float = 60.0,
        preview_disabled_max: float = 6 * 3600.0,
        backoff_base: float = 5.0,
        backoff_cap: float = 120.0,
        backoff_floor: float = 1.0,
        max_body_bytes: int = MAX_BODY_BYTES,
        clock: Clock = time.time,
        rand: Rand = random.random,
    ) -> None:
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT},
            timeout=DEFAULT_TIMEOUT,
            limits=DEFAULT_LIMITS,
            follow_redirects=False,
        )
        self.base_url = base_url.rstrip("/")
        self.edit_window = edit_window
        self.max_retry_after = max_retry_after
        self.preview_disabled_recheck = preview_disabled_recheck
        self.preview_disabled_max = preview_disabled_max
        self.max_body_bytes = max_body_bytes
        self._redirects: dict[str, int] = {}  # redirects in a row per channel
        self._backoff_args = {"base": backoff_base, "cap": backoff_cap, "floor": backoff_floor}
        self._clock, self._rand = clock, rand
        self._backoffs: dict[str, Backoff] = {}

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    def backoff(self, username: str) -> Backoff:
        key = username.lower()
        if key not in self._backoffs:
            self._backoffs[key] = Backoff(**self._backoff_args, clock=self._clock, rand=self._rand)
        return self._backoffs[key]

    async def fetch_page(
        self, username: str, *, before: int | None = None, after: int | None = None
    ) -> ParsedPage:
        params = {"before": str(before)} if before is not None else None
        if after is not None:
            params = {"after": str(after)}
        html = await self._get_html(username, params)
        page = parse_channel_page(html, channel=username)
        if not page.is_preview:
            raise self._unreadable(username, "page without the preview's header and history")
        return page

    def _unreadable(self, username: str, why: str) -> UnreadablePage:
        retry_at = self.backoff(username).failure()
        logger.warning("tme.unreadable_page", extra={"channel": username, "error": why})
        return UnreadablePage(username, f"unreadable page: {why}", retry_at)

    async def _walk_forward(self, username: str, cursor: int, max_pages: int) -> list[ParsedPage]:
        pages: list[ParsedPage] = []
        for _ in range(max_pages):
            page = await self.fetch_page(username, after=cursor)
            if page.highest_id is None or page.highest_id <= cursor:
                break
            pages.append(page)
            cursor = page.highest_id
        return pages

    async def fetch_new(
        self,
        username: str,
        last_seen_id: int,
        max_pages: int = 5,
        seen_digests: Mapping[int, str] | None = None,
    ) -> FetchResult:
        """Posts newer than ``last_seen_id`` plus recently edited ones.

        An edited post with ``last_seen_id - edit_window < id <= last_seen_id`` is included
        unless ``seen_digests`` maps its id to the digest of its current text (i.e. this
        version was already delivered). Without ``seen_digests`` every edited post in the
        window is included on every call.
        """
        page = await self.fetch_page(username)
        if last_seen_id > 0 and page.highest_id is None:
            # The channel has posts, so its newest page must show some: markup we cannot read.
            raise self._unreadable(username, "no messages on the newest page")
        pages = [page]
        lowest = page.lowest_id
        reached = lowest is None or lowest <= last_seen_id + 1
        if last_seen_id > 0:
            while not reached and len(pages) < max_pages:
                assert lowest is not None
                older = await self.fetch_page(username, before=lowest)
                pages.append(older)
                if older.lowest_id is None or older.lowest_id >= lowest:
                    reached = True  # start of the channel (or no progress): nothing older
                    break
                lowest = older.lowest_id
                reached = lowest <= last_seen_id + 1
        if last_seen_id > 0 and not reached:
            # Too far behind to page back to the cursor: walk forward from it instead, so the
            # oldest missed posts come first and none is skipped; the caller polls again.
            pages = await self._walk_forward(username, last_seen_id, max_pages)
            newest = page.highest_id or 0
            reached = bool(pages) and max((p.highest_id or 0) for p in pages) >= newest
        self.backoff(username).success()
        self._redirects.pop(username.lower(), None)

        by_id: dict[int, ChannelPost] = {}
        for p in pages:
            for post in p.posts:
                by_id[post.message_id] = post
        new_ids = frozenset(i for i in by_id if i > last_seen_id)
        edit_floor = last_seen_id - self.edit_window
        chosen: list[ChannelPost] = []
        for i in sorted(by_id):
            post = by_id[i]
            if i in new_ids or (
                post.edited
                and i > edit_floor
                and (seen_digests is None or seen_digests.get(i) != post.digest)
            ):
                chosen.append(post)
        gap = last_seen_id > 0 and not reached
        highest = max((p.highest_id for p in pages if p.highest_id is not None), default=None)
        result = FetchResult(
            posts=chosen,
            reached_last_seen=reached and last_seen_id > 0,
            gap=gap,
            pages=len(pages),
            highest_id=highest,
            skipped=sum(p.skipped for p in pages),
            new_ids=new_ids,
        )
        if gap:
            logger.warning(
                "tme.gap",
                extra={"channel": username, "last_seen_id": last_seen_id, "pages": len(pages)},
            )
        logger.debug(
            "tme.fetched",
            extra={
                "channel": username,
                "pages": len(pages),
                "posts": len(chosen),
                "new": len(new_ids),
                "skipped": result.skipped,
            },
        )
        return result

    def recheck_after(self, redirects: int) -> float:
        """Seconds until a redirected channel is tried again: soon after the first redirect
        (a login wall can be a blip), ×4 for each further one, at most
        ``preview_disabled_max``."""
        wait = self.preview_disabled_recheck * 4.0 ** max(0, redirects - 1)
        return min(self.preview_disabled_max, wait)

    async def _get(self, url: str, params: dict[str, str] | None) -> tuple[httpx.Response, str]:
        """GET streaming the body, at most ``max_body_bytes`` read (else :class:`TooLarge`)."""
        request = self._client.build_request(
            "GET", url, params=params, headers={"Accept-Language": "en"}
        )
        resp = await self._client.send(request, stream=True)
        try:
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body_bytes:
                raise TooLarge(url, f"response too large ({declared} bytes)", 0.0)
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise TooLarge(url, f"response too large (> {self.max_body_bytes} bytes)", 0.0)
                chunks.append(chunk)
        finally:
            await resp.aclose()
        return resp, b"".join(chunks).decode(resp.encoding or "utf-8", errors="replace")

    async def _get_html(self, username: str, params: dict[str, str] | None) -> str:
        url = f"{self.base_url}/s/{username}"
        backoff = self.backoff(username)
        try:
            resp, body = await self._get(url, params)
            if resp.is_redirect:
                target = urljoin(str(resp.request.url), resp.headers.get("location", ""))
                path = urlsplit(target).path.rstrip("/")
                if path.lower() != f"/s/{username}".lower():
                    key = username.lower()
                    self._redirects[key] = self._redirects.get(key, 0) + 1
                    retry_at = self._clock() + self.recheck_after(self._redirects[key])
                    backoff.retry_at = retry_at
                    logger.info(
                        "tme.preview_disabled",
                        extra={"channel": username, "redirects": self._redirects[key]},
                    )
                    raise PreviewDisabled(username, "public preview disabled", retry_at)
                # Canonical spelling of the same preview page: follow once.
                resp, body = await self._get(target, None)
            if resp.status_code == 429:
                retry_after = parse_retry_after(resp.headers.get("retry-after"), self._clock())
                if retry_after is not None:
                    retry_after = min(retry_after, self.max_retry_after)
                retry_at = backoff.failure(retry_after)
                logger.warning(
                    "tme.rate_limited",
                    extra={"channel": username, "retry_after": retry_after, "retry_at": retry_at},
                )
                raise RateLimited(username, "HTTP 429", retry_at, retry_after)
            if resp.status_code == 200:
                return body
            status = resp.status_code
        except TooLarge as exc:
            retry_at = backoff.failure()
            logger.warning("tme.too_large", extra={"channel": username, "error": exc.message})
            raise TooLarge(username, exc.message, retry_at) from None
        except httpx.TimeoutException as exc:
            message = f"timeout ({type(exc).__name__})"
            status = None
        except httpx.TransportError as exc:
            message = f"transport error ({type(exc).__name__})"
            status = None
        else:
            message = f"HTTP {status}"
        retry_at = backoff.failure()
        logger.warning(
            "tme.fetch_failed",
            extra={"channel": username, "error": message, "attempts": backoff.attempts},
        )
        if status is None or status >= 500 or status in (301, 302, 303, 307, 308, 408):
            raise TransientError(username, message, retry_at)
        raise SourceError(username, message, retry_at)
