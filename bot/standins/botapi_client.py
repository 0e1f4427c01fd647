"""Test-side handle on the Bot API stand-in, the same whether it runs in-thread or in a process.

``BotApiControl`` holds every helper (inject updates, read records, set limits, wait); only
``_control`` differs: ``BotApiStandin`` (``botapi_server``) calls the state directly,
``BotApiProcess`` here posts to the subprocess's ``/_control/<op>`` endpoints.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from bot.standins.botapi_state import (
    DEFAULT_TOKEN,
    JSON,
    TELEGRAM_LIMITS,
    Call,
    Limits,
    SentMessage,
)

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import ApplicationBuilder

REPO_ROOT = Path(__file__).resolve().parents[2]


class BotApiControl(ABC):
    token: str = DEFAULT_TOKEN
    port: int = 0

    @abstractmethod
    def _control(self, op: str, **kwargs: Any) -> Any: ...

    def _json(self, op: str, **kwargs: Any) -> JSON:
        return dict(self._control(op, **kwargs))

    @abstractmethod
    def start(self) -> Self: ...

    @abstractmethod
    def stop(self) -> None: ...

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- addresses and PTB wiring ----------------------------------------------------------

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def api_url(self) -> str:
        """``.../bot<TOKEN>``: append ``/<method>`` for raw HTTP calls."""
        return f"{self.base_url}{self.token}"

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])

    def ptb_builder(self) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    def ptb_bot(self) -> Bot:
        from telegram import Bot

        return Bot(self.token, base_url=self.base_url, base_file_url=self.base_file_url)

    # ---- injection (each returns the queued update) ---------------------------------------

    def send_text(self, chat_id: int, text: str, user_id: int | None = None,
                  language_code: str | None = "uk", chat_type: str | None = None,
                  title: str | None = None, first_name: str | None = None,
                  username: str | None = None) -> JSON:  # fmt: skip
        """A user message; ``chat_type`` defaults from the id (>0 private, <0 group)."""
        return self._json("send_text", chat_id=chat_id, text=text, user_id=user_id,
                             language_code=language_code, chat_type=chat_type, title=title,
                             first_name=first_name, username=username)  # fmt: skip

    def tap(self, chat_id: int, message_id: int, data: str, user_id: int | None = None,
            language_code: str | None = "uk") -> JSON:  # fmt: skip
        """A callback_query on the bot's message ``message_id`` (raises if it has none)."""
        return self._json("tap", chat_id=chat_id, message_id=message_id, data=data,
                             user_id=user_id, language_code=language_code)  # fmt: skip

    def channel_post(self, chat_id: int, username: str | None, text: str, message_id: int,
                     edited: bool = False, title: str | None = None,
                     photo: bool = False) -> JSON:  # fmt: skip
        return self._json("channel_post", chat_id=chat_id, username=username, text=text,
                          message_id=message_id, edited=edited, title=title,
                          photo=photo)  # fmt: skip

    def forward_from_channel(self, chat_id: int, user_id: int, channel_id: int,
                             channel_username: str | None, message_id: int, text: str,
                             language_code: str | None = "uk",
                             channel_title: str | None = None) -> JSON:  # fmt: skip
        return self._json("forward_from_channel", chat_id=chat_id, user_id=user_id,
                             channel_id=channel_id, channel_username=channel_username,
                             message_id=message_id, text=text, language_code=language_code,
                             channel_title=channel_title)  # fmt: skip

    def my_chat_member(self, chat_id: int, new_status: str, user_id: int | None = None,
                       old_status: str | None = None, chat_type: str | None = None,
                       title: str | None = None) -> JSON:  # fmt: skip
        """Bot's status changes: "kicked" in private = user blocked the bot; groups likewise."""
        return self._json("my_chat_member", chat_id=chat_id, new_status=new_status,
                             user_id=user_id, old_status=old_status, chat_type=chat_type,
                             title=title)  # fmt: skip

    def push_update(self, kind: str, obj: JSON) -> JSON:
        return self._json("push_update", kind=kind, obj=obj)

    # ---- behaviour -------------------------------------------------------------------------

    def block(self, chat_id: int, blocked: bool = True) -> None:
        self._control("block", chat_id=chat_id, blocked=blocked)

    def unblock(self, chat_id: int) -> None:
        self.block(chat_id, False)

    def kick(self, chat_id: int, kicked: bool = True) -> None:
        self._control("kick", chat_id=chat_id, kicked=kicked)

    def set_admins(self, chat_id: int, admin_ids: list[int], creator_id: int | None = None) -> None:
        self._control("set_admins", chat_id=chat_id, admin_ids=admin_ids, creator_id=creator_id)

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        self._control("set_member", chat_id=chat_id, user_id=user_id, status=status)

    def outage(self, seconds: float, mode: str = "502") -> None:
        """Telegram down for ``seconds``: 502 Bad Gateway, or ``mode="drop"``: connections
        closed unanswered. ``outage(0)`` ends it."""
        self._control("outage", seconds=seconds, mode=mode)

    def flaky(
        self, p_5xx: float = 0.0, p_hang: float = 0.0, hang_s: float = 20.0, seed: int = 0
    ) -> None:
        """Random faults: a share ``p_5xx`` of requests answers 500 unexecuted, a share
        ``p_hang`` is executed and never answered. ``flaky()`` ends them."""
        self._control("flaky", p_5xx=p_5xx, p_hang=p_hang, hang_s=hang_s, seed=seed)

    def faults(self) -> dict[str, int]:
        """Faults injected so far: ``{"5xx": n, "hang": n}``."""
        return dict(self._control("faults"))

    def set_limits(self, limits: Limits | bool | None = True, **overrides: float) -> None:
        """``set_limits(per_chat_per_s=5)`` = Telegram defaults with overrides;
        ``set_limits(None)`` disables limits; ``set_limits(Limits(...))`` sets them all."""
        if limits is None or limits is False:
            self._control("set_limits", limits=None)
            return
        base = Limits() if limits is True else limits
        data = asdict(base)
        unknown = set(overrides) - {f.name for f in fields(Limits)}
        if unknown:
            raise TypeError(f"unknown limits: {sorted(unknown)}")
        data.update(overrides)
        self._control("set_limits", limits=data)

    def limits(self) -> Limits | None:
        data = self._control("get_limits")
        return Limits(**data) if data else None

    # ---- records ---------------------------------------------------------------------------

    def sent(self, chat_id: int, include_deleted: bool = False) -> list[SentMessage]:
        """The bot's messages in ``chat_id`` as they stand now (edits applied, history kept)."""
        data = self._control("sent", chat_id=chat_id, include_deleted=include_deleted)
        return [SentMessage.from_dict(d) for d in data]

    def calls(self, method: str | None = None, ok: bool | None = None) -> list[Call]:
        return [Call.from_dict(d) for d in self._control("calls", method=method, ok=ok)]

    def call_count(self, method: str | None = None, ok: bool | None = None) -> int:
        return int(self._control("call_count", method=method, ok=ok))

    @property
    def rate_limited(self) -> int:
        """How many 429 answers were given."""
        return int(self._control("rate_limited"))

    def pending_updates(self) -> list[JSON]:
        return list(self._control("pending_updates"))

    def callback_answer(self, query_id: str) -> JSON | None:
        """The answerCallbackQuery parameters for ``query_id`` (None if not answered)."""
        return self._control("callback_answer", query_id=query_id)  # type: ignore[no-any-return]

    def webhook(self) -> JSON:
        return dict(self._control("webhook"))

    def webhook_route(self, public: str, local: str | list[str]) -> None:
        """Deliver webhook POSTs for ``public…`` to ``local…`` (the reverse proxy's part)."""
        self._control("webhook_route", public=public, local=local)

    def webhook_retries(self, attempts: int, backoff_s: list[float]) -> None:
        """Try each webhook POST ``attempts`` times, pausing ``backoff_s[i]`` after failure i."""
        self._control("webhook_retries", attempts=attempts, backoff_s=backoff_s)

    def webhook_log(self) -> JSON:
        """``{"attempts": [{update_id, status, error, time}], "given_up": [update_id]}``."""
        return self._json("webhook_log")

    def commands(self) -> dict[str, list[JSON]]:
        return dict(self._control("commands"))

    def clear_records(self) -> None:
        self._control("clear_records")

    # ---- waiting ---------------------------------------------------------------------------

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Poll ``predicate()`` until truthy (returned) or raise TimeoutError. Blocking."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            time.sleep(0.005)

    async def async_wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Like ``wait_for`` but yields to the event loop (use it next to a running PTB app)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            await asyncio.sleep(0.005)

    async def wait_for_messages(
        self, chat_id: int, n: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot has >= ``n`` messages in ``chat_id``; return them all."""
        try:
            msgs: list[SentMessage] = await self.async_wait_for(
                lambda: (m := self.sent(chat_id)) and len(m) >= n and m, timeout
            )
        except TimeoutError:
            got = [m.text for m in self.sent(chat_id)]
            raise TimeoutError(f"chat {chat_id}: wanted {n} messages, got {got}") from None
        return msgs

    async def wait_for_calls(self, method: str, n: int = 1, timeout: float = 5.0) -> list[Call]:
        calls: list[Call] = await self.async_wait_for(
            lambda: (c := self.calls(method)) and len(c) >= n and c, timeout
        )
        return calls


class ControlError(RuntimeError):
    pass


class BotApiProcess(BotApiControl):
    """The stand-in in its own process (``python -m bot.standins.botapi_server``)."""

    def __init__(self, token: str = DEFAULT_TOKEN, limits: Limits | None = TELEGRAM_LIMITS,
                 username: str = "sitrep_test_bot") -> None:  # fmt: skip
        self.token = token
        self.username = username
        self._limits = limits
        self._proc: subprocess.Popen[str] | None = None
        self._http: httpx.Client | None = None

    def start(self) -> Self:
        cmd = [sys.executable, "-m", "bot.standins.botapi_server", "--port", "0",
               "--print-port", "--token", self.token, "--username", self.username]  # fmt: skip
        if self._limits is None:
            cmd.append("--no-limits")
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        self._proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"stand-in process did not start (got {line!r})")
        self.port = int(line)
        self._http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10.0)
        if self._limits is not None and self._limits != Limits():
            self.set_limits(self._limits)
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stdout:
                self._proc.stdout.close()
            self._proc = None

    def _control(self, op: str, **kwargs: Any) -> Any:
        if self._http is None:
            raise RuntimeError("BotApiProcess is not running")
        resp = self._http.post(f"/_control/{op}", content=json.dumps(kwargs))
        body = resp.json()
        if not body.get("ok"):
            raise ControlError(body.get("description", resp.text))
        return body["result"]
