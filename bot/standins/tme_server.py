"""Local stand-in for t.me public channel previews (``/s/<username>``).

A ``ThreadingHTTPServer`` on 127.0.0.1 with an ephemeral port, run in a background thread,
so it serves sync and async tests alike. State changes are thread-safe.

    with TmeStandin() as tme:
        tme.add_channel("kpszsu")
        tme.add_post("kpszsu", "🛵 БпЛА на Київщину")
        source = TelegramWebSource(client, base_url=tme.base_url)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.standins.threaded import ThreadedServer, reply
from bot.standins.tme_render import render_channel_page, render_plain_page


@dataclass
class Post:
    id: int
    html: str  # inner HTML of div.tgme_widget_message_text ("" for a photo-only post)
    published_at: datetime
    edited: bool = False
    forwarded_from: tuple[str, str] | None = None  # (display name, origin username)
    photo: bool = False
    views: str = "12.3K"
    broken: str | None = None  # "no_time" | "bad_datetime" | "no_data_post" | "naive_datetime"


@dataclass
class Misbehaviour:
    rate_limit: int = 0  # answer 429 this many times
    retry_after: str | None = "7"
    server_error: int = 0  # answer 500 this many times
    delay: float = 0.0  # seconds before answering (each request)
    truncate: float | None = None  # send only this fraction of the page bytes
    preview_disabled: bool = False  # 302 to /<username>
    body: str | None = None  # answer 200 with this instead of the page (garbage, empty, login wall)


@dataclass
class Channel:
    username: str
    title: str
    posts: dict[int, Post] = field(default_factory=dict)
    next_id: int = 1
    bad: Misbehaviour = field(default_factory=Misbehaviour)


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names


class TmeStandin(ThreadedServer):
    def __init__(self, *, page_size: int = 20, host: str = "127.0.0.1") -> None:
        self.page_size = page_size
        self._lock = threading.RLock()
        self._channels: dict[str, Channel] = {}
        self._requests: list[RecordedRequest] = []
        super().__init__(_make_handler(self), host)

    # state ------------------------------------------------------------------------------
    def add_channel(self, username: str, title: str | None = None, *, first_id: int = 1) -> None:
        with self._lock:
            self._channels[username.lower()] = Channel(
                username, title or username, next_id=first_id
            )

    def channel(self, username: str) -> Channel:
        return self._channels[username.lower()]

    def add_post(
        self,
        username: str,
        text: str | None = None,
        *,
        html: str | None = None,
        published_at: datetime | None = None,
        forwarded_from: tuple[str, str] | None = None,
        photo: bool = False,
        edited: bool = False,
        message_id: int | None = None,
    ) -> int:
        """Add a post (plain ``text`` is rendered the way Telegram does); return its id."""
        from bot.standins.tme_render import text_to_html

        body = html if html is not None else text_to_html(text or "")
        with self._lock:
            ch = self.channel(username)
            mid = message_id if message_id is not None else ch.next_id
            ch.next_id = max(ch.next_id, mid + 1)
            when = published_at or datetime(2026, 11, 24, 2, 0, tzinfo=UTC) + timedelta(minutes=mid)
            ch.posts[mid] = Post(mid, body, when, edited, forwarded_from, photo)
            return mid

    def add_posts(self, username: str, texts: list[str]) -> list[int]:
        return [self.add_post(username, t) for t in texts]

    def skip_ids(self, username: str, n: int) -> None:
        """Simulate deleted posts: the next ``n`` ids are never used."""
        with self._lock:
            self.channel(username).next_id += n

    def edit_post(
        self, username: str, message_id: int, text: str | None = None, *, html: str | None = None
    ) -> None:
        from bot.standins.tme_render import text_to_html

        with self._lock:
            post = self.channel(username).posts[message_id]
            post.html = html if html is not None else text_to_html(text or "")
            post.edited = True

    def delete_post(self, username: str, message_id: int) -> None:
        with self._lock:
            self.channel(username).posts.pop(message_id, None)

    def break_post(self, username: str, message_id: int, how: str = "no_time") -> None:
        with self._lock:
            self.channel(username).posts[message_id].broken = how

    def misbehave(self, username: str, **kwargs: Any) -> None:
        """Set fields of :class:`Misbehaviour` for a channel (e.g. ``rate_limit=2``)."""
        with self._lock:
            bad = self.channel(username).bad
            for key, value in kwargs.items():
                if not hasattr(bad, key):
                    raise AttributeError(key)
                setattr(bad, key, value)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, username: str) -> list[RecordedRequest]:
        path = f"/s/{username}".lower()
        return [r for r in self.requests if r.path.lower() == path]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # serving ----------------------------------------------------------------------------
    def _respond(
        self, path: str, query: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes, float]:
        """Return (status, headers, body, delay) for a request."""
        with self._lock:
            self._requests.append(RecordedRequest(path, query, headers))
            parts = [p for p in path.split("/") if p]
            if len(parts) == 1:
                ch = self._channels.get(parts[0].lower())
                title = ch.title if ch else parts[0]
                return 200, {}, render_plain_page(parts[0], title).encode(), 0.0
            if len(parts) != 2 or parts[0] != "s":
                return 404, {}, b"not found", 0.0
            ch = self._channels.get(parts[1].lower())
            if ch is None or ch.bad.preview_disabled:
                return 302, {"Location": f"/{parts[1]}"}, b"", 0.0
            bad = ch.bad
            if bad.rate_limit > 0:
                bad.rate_limit -= 1
                extra = {"Retry-After": bad.retry_after} if bad.retry_after else {}
                return 429, extra, b"Too Many Requests", bad.delay
            if bad.server_error > 0:
                bad.server_error -= 1
                return 500, {}, b"Internal Server Error", bad.delay
            if bad.body is not None:
                return 200, {}, bad.body.encode("utf-8"), bad.delay
            posts = self._select(ch, query)
            html = render_channel_page(ch.username, ch.title, posts, self.base_url)
            body = html.encode("utf-8")
            if bad.truncate is not None:
                body = body[: int(len(body) * bad.truncate)]
            return 200, {}, body, bad.delay

    def _select(self, ch: Channel, query: dict[str, str]) -> list[Post]:
        ids = sorted(ch.posts)
        if "before" in query and query["before"].isdigit():
            before = int(query["before"])
            ids = [i for i in ids if i < before][-self.page_size :]
        elif "after" in query and query["after"].isdigit():
            after = int(query["after"])
            ids = [i for i in ids if i > after][: self.page_size]
        else:
            ids = ids[-self.page_size :]
        return [ch.posts[i] for i in ids]


def _make_handler(standin: TmeStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "TmeStandin/1.0"

        def do_GET(self) -> None:
            split = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(split.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, body, delay = standin._respond(split.path, query, headers)
            if delay > 0 and standin._closing.wait(delay):
                return
            html = status == 200 and body[:1] == b"<"
            reply(self, status, body, extra, "text/html; charset=utf-8" if html else None)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
