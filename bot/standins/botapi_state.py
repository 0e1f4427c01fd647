"""State behind the Bot API stand-in: chats, sent messages, limits, the updates queue.

Everything here is synchronous and guarded by one re-entrant lock, so the server's event loop
(in a background thread or another process) and the test thread can both touch it. The Bot API
methods themselves live in ``botapi_methods``; the HTTP side in ``botapi_server``.
"""

from __future__ import annotations

import base64
import itertools
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

JSON = dict[str, Any]
DEFAULT_TOKEN = "123456789:TEST-stand-in-token_for-sitrep-bot"
# Telegram leaves these out unless allowed_updates names them explicitly.
NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSON:
        out: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


@dataclass(frozen=True)
class Limits:
    """Telegram's flood limits; each is a token bucket (rate, burst)."""

    global_per_s: float = 30.0
    global_burst: float = 30.0
    per_chat_per_s: float = 1.0  # private chats
    per_chat_burst: float = 3.0
    per_group_per_min: float = 20.0  # groups, supergroups, channels
    per_group_burst: float = 20.0


TELEGRAM_LIMITS = Limits()


@dataclass
class _Bucket:
    rate: float  # tokens per second
    burst: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_s(self) -> int:
        """Whole seconds until one token is available (0 if available now)."""
        if self.tokens >= 1.0:
            return 0
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))


@dataclass
class SentMessage:
    """A message the bot sent, as it currently stands, with its previous versions."""

    chat_id: int
    message_id: int
    text: str  # after entity parsing (what users see)
    source_text: str  # as the bot sent it
    parse_mode: str | None
    date: int
    reply_markup: JSON | None = None
    entities: list[JSON] = field(default_factory=list)
    edit_date: int | None = None
    reply_to_message_id: int | None = None
    history: list[JSON] = field(default_factory=list)  # earlier {text, reply_markup, ...}
    deleted: bool = False
    photo: list[JSON] | None = None  # PhotoSize list of a sendPhoto (``text`` is its caption)
    photo_data: str | None = None  # the uploaded file, base64

    def photo_bytes(self) -> bytes:
        """The image file this message carries (sendPhoto upload)."""
        if self.photo_data is None:
            raise ValueError(f"message {self.message_id} carries no photo")
        return base64.b64decode(self.photo_data)

    def to_dict(self) -> JSON:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: JSON) -> SentMessage:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass
class Call:
    """One Bot API request as the stand-in saw it (``status`` 200 when it was accepted)."""

    method: str
    params: JSON
    time: float
    status: int = 200
    description: str | None = None

    def to_dict(self) -> JSON:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: JSON) -> Call:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    blocked: bool = False  # private: the user blocked the bot
    kicked: bool = False  # groups: the bot was removed
    left: bool = False  # groups: the bot left (leaveChat)
    next_id: int = 1
    members: dict[int, str] = field(default_factory=dict)  # user_id -> status

    def obj(self) -> JSON:
        out: JSON = {"id": self.id, "type": self.type}
        if self.type == "private":
            out["first_name"] = self.first_name or f"User {self.id}"
        else:
            out["title"] = self.title or f"Chat {self.id}"
        if self.username:
            out["username"] = self.username
        return out


def chat_type_for(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= -1_000_000_000_000 else "group"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class BotState:
    """All mutable stand-in state. Public methods take the lock; helpers ``_x`` expect it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        username: str = "sitrep_test_bot",
        first_name: str = "Sitrep",
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lock = threading.RLock()
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = first_name
        self.limits = limits
        self.clock = clock
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, JSON] = {}
        self.messages: dict[int, dict[int, SentMessage]] = {}
        self.incoming: dict[tuple[int, int], JSON] = {}
        self.updates: list[JSON] = []
        self.next_update_id = 100_000_001
        self.allowed_updates: list[str] = []
        self.poll_generation = 0
        self.callback_queries: dict[str, JSON] = {}
        self._query_ids = itertools.count(4_000_000_000_000_000)
        self.call_log: list[Call] = []
        self.rate_limited = 0
        self.webhook: JSON = {"url": ""}
        self.webhook_routes: dict[str, list[str]] = {}  # public URL prefix -> local targets
        self.webhook_turn = 0  # round robin over a route's targets
        self.webhook_log: list[JSON] = []  # delivery attempts: update_id, status, error, time
        self.webhook_given_up: list[int] = []  # update ids dropped after repeated failures
        # attempts per update, then the pauses between them (see botapi_webhook)
        self.webhook_retries: tuple[int, list[float]] = (8, [0.2, 0.5, 1, 2, 4, 8, 15])
        self.commands: dict[str, list[JSON]] = {}
        self.menu_buttons: dict[str, JSON] = {}
        self._global_bucket: _Bucket | None = None
        self._chat_buckets: dict[int, _Bucket] = {}
        self._listeners: list[Callable[[], None]] = []
        self.outage_until = 0.0  # clock() before which the API is "down" (see ``outage``)
        self.outage_mode = "502"  # 502: nginx's Bad Gateway; drop: connection closed unanswered
        self.flaky_5xx = 0.0  # share of requests answered 500 unexecuted (see ``flaky``)
        self.flaky_hang = 0.0  # share executed and then never answered
        self.flaky_hang_s = 20.0  # how long a hung request holds its connection before closing it
        self.flaky_rand: Callable[[], float] = random.Random(0).random
        self.faults = {"5xx": 0, "hang": 0}  # faults injected so far, by kind

    # ---- objects -------------------------------------------------------------------------

    def bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def user_obj(self, user_id: int) -> JSON:
        with self.lock:
            if user_id == self.bot_id:
                return self.bot_user()
            return dict(
                self.users.setdefault(
                    user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
                )
            )

    def chat(self, chat_id: int, chat_type: str | None = None, title: str | None = None) -> Chat:
        with self.lock:
            chat = self.chats.get(chat_id)
            if chat is None:
                chat = Chat(chat_id, chat_type or chat_type_for(chat_id), title=title)
                self.chats[chat_id] = chat
            elif title:
                chat.title = title
            return chat

    def next_message_id(self, chat: Chat) -> int:
        with self.lock:
            mid = chat.next_id
            chat.next_id += 1
            return mid

    def member_obj(self, chat_id: int, user_id: int, status: str) -> JSON:
        user = self.user_obj(user_id)
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            perms = [
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
                "can_pin_messages",
            ]
            out: JSON = {"status": "administrator", "user": user, "is_anonymous": False}
            out.update({p: True for p in perms})
            out.update(can_be_edited=False, can_promote_members=False)
            return out
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}

    def member_status(self, chat: Chat, user_id: int) -> str:
        with self.lock:
            if user_id == self.bot_id:
                if chat.kicked or (chat.type == "private" and chat.blocked):
                    return "kicked"
                if chat.left:
                    return "left"
            return chat.members.get(user_id, "member")

    # ---- limits --------------------------------------------------------------------------

    def set_limits(self, limits: Limits | None) -> None:
        with self.lock:
            self.limits = limits
            self._global_bucket = None
            self._chat_buckets.clear()

    def take_send_slot(self, chat: Chat) -> None:
        """Consume one message slot for ``chat`` or raise a 429 (nothing consumed then)."""
        with self.lock:
            lim = self.limits
            if lim is None:
                return
            now = self.clock()
            if self._global_bucket is None:
                self._global_bucket = _Bucket(
                    lim.global_per_s, lim.global_burst, lim.global_burst, now
                )
            bucket = self._chat_buckets.get(chat.id)
            if bucket is None:
                if chat.type == "private":
                    rate, burst = lim.per_chat_per_s, lim.per_chat_burst
                else:
                    rate, burst = lim.per_group_per_min / 60.0, lim.per_group_burst
                bucket = self._chat_buckets[chat.id] = _Bucket(rate, burst, burst, now)
            buckets = (self._global_bucket, bucket)
            for b in buckets:
                b.refill(now)
            wait = max(b.wait_s() for b in buckets)
            if wait:
                self.rate_limited += 1
                raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
            for b in buckets:
                b.tokens -= 1.0

    # ---- updates -------------------------------------------------------------------------

    def add_listener(self, callback: Callable[[], None]) -> None:
        """``callback()`` runs (outside the lock) whenever an update is queued."""
        with self.lock:
            self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[], None]) -> None:
        with self.lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def notify(self) -> None:
        with self.lock:
            listeners = list(self._listeners)
        for cb in listeners:
            cb()

    def push_update(self, kind: str, obj: JSON) -> JSON:
        with self.lock:
            update = {"update_id": self.next_update_id, kind: obj}
            self.next_update_id += 1
            self.updates.append(update)
        self.notify()
        return update

    def confirm(self, offset: int) -> None:
        """getUpdates' ``offset``: forget confirmed updates (negative: keep the last -offset)."""
        with self.lock:
            if offset < 0:
                self.updates = self.updates[offset:]
            elif offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def allowed(self, update: JSON) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_DEFAULT_UPDATES

    def begin_poll(self, params: JSON) -> tuple[int, float, int]:
        """Apply getUpdates' parameters (records the call): ``(generation, timeout, limit)``."""
        with self.lock:
            try:
                if self.webhook.get("url"):
                    raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                   "active; use deleteWebhook to delete the webhook first")  # fmt: skip
                offset = int(params.get("offset") or 0)
                limit = min(100, max(1, int(params.get("limit") or 100)))
                timeout = max(0.0, float(params.get("timeout") or 0))
            except (TypeError, ValueError):
                err = bad_request("wrong parameter in getUpdates")
                self.record("getUpdates", params, err.code, err.description)
                raise err from None
            except ApiError as err:
                self.record("getUpdates", params, err.code, err.description)
                raise
            if isinstance(allowed := params.get("allowed_updates"), list):
                self.allowed_updates = [str(a) for a in allowed]
            self.confirm(offset)
            self.poll_generation += 1
            self.record("getUpdates", params, 200, None)
            return self.poll_generation, timeout, limit

    def poll(self, generation: int, limit: int) -> list[JSON]:
        """Deliverable updates for the long poll ``generation`` (409 once a newer one began)."""
        with self.lock:
            if generation != self.poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make "
                               "sure that only one bot instance is running")  # fmt: skip
            self.updates = [u for u in self.updates if self.allowed(u)]
            return [dict(u) for u in self.updates[:limit]]

    # ---- records -------------------------------------------------------------------------

    def record(self, method: str, params: JSON, status: int, description: str | None) -> None:
        with self.lock:
            self.call_log.append(Call(method, params, time.time(), status, description))

    def sent(self, chat_id: int, include_deleted: bool = False) -> list[SentMessage]:
        with self.lock:
            msgs = sorted(self.messages.get(chat_id, {}).values(), key=lambda m: m.message_id)
            return [replace(m) for m in msgs if include_deleted or not m.deleted]

    def calls(self, method: str | None = None, ok: bool | None = None) -> list[Call]:
        with self.lock:
            want = method.lower() if method else None
            return [
                replace(c)
                for c in self.call_log
                if (want is None or c.method.lower() == want)
                and (ok is None or (c.status == 200) == ok)
            ]

    def clear_records(self) -> None:
        with self.lock:
            self.call_log.clear()
            self.rate_limited = 0
            self.webhook_log.clear()
            self.webhook_given_up.clear()
