"""Local stand-in for the Telegram Bot API, for the real python-telegram-bot ``Application``.

A small HTTP/1.1 keep-alive server on ``asyncio.start_server`` (127.0.0.1, ephemeral port)
that answers ``/bot<TOKEN>/<method>`` exactly in Bot API shape and enforces Telegram's rules
(HTML parsing errors, 4096-character limit, flood limits with 429 + retry_after, 403 for
blocked/kicked chats, "message is not modified", getUpdates long polling and conflicts,
webhooks: ``botapi_webhook`` POSTs updates to the URL setWebhook gave, with its secret).

In-thread (tests)::

    with BotApiStandin() as tg:
        app = tg.ptb_builder().build()          # or .base_url(tg.base_url) yourself
        tg.send_text(42, "/start")
        await tg.wait_for_messages(42, 1)

Own process (benchmarks), same helper methods through ``/_control/<op>``::

    with BotApiProcess(limits=None) as tg: ...
    # or: python -m bot.standins.botapi_server --port 0 --print-port [--no-limits]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import signal
import threading
from typing import Any, Self
from urllib.parse import parse_qsl

from bot.standins import botapi_inject, botapi_media, botapi_methods, botapi_webhook
from bot.standins.botapi_client import BotApiControl, BotApiProcess, ControlError
from bot.standins.botapi_state import (
    DEFAULT_TOKEN,
    JSON,
    TELEGRAM_LIMITS,
    ApiError,
    BotState,
    Limits,
)

_ = botapi_media  # registers sendPhoto

__all__ = ["BotApiControl", "BotApiProcess", "BotApiServer", "BotApiStandin", "ControlError",
           "Limits"]  # fmt: skip

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 409: "Conflict", 413: "Request Entity Too Large",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway"}  # fmt: skip
MAX_BODY = 50 * 1024 * 1024


def _multipart(body: bytes, content_type: str) -> JSON:
    boundary = ""
    for piece in content_type.split(";"):
        key, _, value = piece.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip('"')
    params: JSON = {}
    if not boundary:
        return params
    for part in body.split(b"--" + boundary.encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        disposition = next((h for h in head.decode("utf-8", "replace").split("\r\n")
                            if h.lower().startswith("content-disposition")), "")  # fmt: skip
        attrs = dict(
            (k.strip(), v.strip().strip('"'))
            for k, _, v in (a.partition("=") for a in disposition.split(";")[1:])
        )
        name = attrs.get("name", "")
        if "filename" in attrs:
            params[name] = {
                "filename": attrs["filename"],
                "size": len(content),
                "data": base64.b64encode(content).decode("ascii"),  # JSON-safe for the records
            }
        else:
            params[name] = botapi_methods.coerce(name, content.decode("utf-8", "replace"))
    return params


def parse_params(query: str, headers: dict[str, str], body: bytes) -> JSON:
    """Bot API parameters from the query string and a JSON, form or multipart body."""
    params: JSON = {k: botapi_methods.coerce(k, v) for k, v in parse_qsl(query)}
    ctype = headers.get("content-type", "").lower()
    if not body:
        return params
    if ctype.startswith("application/json"):
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ApiError(400, "Bad Request: parameters must be a JSON object")
        params.update(data)
    elif ctype.startswith("multipart/form-data"):
        params.update(_multipart(body, headers.get("content-type", "")))
    else:
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        params.update({k: botapi_methods.coerce(k, v) for k, v in form})
    return params


class BotApiServer:
    """The HTTP side. Runs on whichever event loop calls ``start``."""

    def __init__(self, state: BotState) -> None:
        self.state = state
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self.state.add_listener(self._notify)
        self._server = await asyncio.start_server(self._connection, host, port, backlog=1024)
        self._tasks.add(botapi_webhook.start(self.state, lambda: self._event))
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        self.state.remove_listener(self._notify)
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def _notify(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    break
                lines = head.decode("latin-1").split("\r\n")
                try:
                    _verb, target, version = lines[0].split(" ", 2)
                except ValueError:
                    break
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if line:
                        key, _, value = line.partition(":")
                        headers[key.strip().lower()] = value.strip()
                body = await self._body(reader, headers)
                if body is None:
                    break
                down = (
                    None if target.startswith("/_control/") else botapi_inject.in_outage(self.state)
                )
                if down == "drop":
                    break
                fault = None
                if (
                    (self.state.flaky_5xx or self.state.flaky_hang)
                    and down is None
                    and target.startswith("/bot")
                    and "getupdates" not in target.lower()
                ):
                    fault = botapi_inject.draw_fault(self.state)
                if down == "502":
                    status, payload = (
                        502,
                        {"ok": False, "error_code": 502, "description": "Bad Gateway"},
                    )
                elif fault == "5xx":
                    status, payload = (
                        500,
                        {"ok": False, "error_code": 500, "description": "Internal Server Error"},
                    )
                else:
                    status, payload = await self._dispatch(target, headers, body)
                if fault == "hang":  # executed, never answered
                    await asyncio.sleep(self.state.flaky_hang_s)
                    break
                data = json.dumps(payload, ensure_ascii=False).encode()
                conn = headers.get("connection", "").lower()
                keep = conn != "close" and (version == "HTTP/1.1" or conn == "keep-alive")
                writer.write(
                    b"HTTP/1.1 %d %s\r\nServer: botapi-standin\r\n"
                    b"Content-Type: application/json\r\nContent-Length: %d\r\n"
                    b"Connection: %s\r\n\r\n%s"
                    % (
                        status,
                        REASONS.get(status, "Error").encode(),
                        len(data),
                        b"keep-alive" if keep else b"close",
                        data,
                    )
                )
                await writer.drain()
                if not keep:
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    @staticmethod
    async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes | None:
        try:
            if "chunked" in headers.get("transfer-encoding", "").lower():
                chunks = []
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    chunks.append(await reader.readexactly(size + 2))
                    if size == 0:
                        return b"".join(c[:-2] for c in chunks)
            length = int(headers.get("content-length") or 0)
            if length > MAX_BODY:
                return None
            return await reader.readexactly(length) if length else b""
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            return None

    async def _dispatch(
        self, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, JSON]:
        path, _, query = target.partition("?")
        try:
            if path.startswith("/_control/"):
                return self._control(path[len("/_control/") :], body)
            if not path.startswith("/bot"):
                return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            token, _, method = path[4:].partition("/")
            if token != self.state.token:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            params = parse_params(query, headers, body)
            if method.lower() == "getupdates":
                return await self._get_updates(params)
            return botapi_methods.call(self.state, method, params)
        except ApiError as err:
            return err.code, err.payload()
        except ValueError as err:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {err}"}
        except Exception as err:  # a stand-in bug: answer like Telegram's own 500s
            description = f"Internal Server Error: {type(err).__name__}: {err}"
            return 500, {"ok": False, "error_code": 500, "description": description}

    def _control(self, op: str, body: bytes) -> tuple[int, JSON]:
        try:
            kwargs = json.loads(body) if body else {}
            return 200, {"ok": True, "result": botapi_inject.control(self.state, op, kwargs)}
        except KeyError as err:
            if op not in botapi_inject.CONTROL_OPS:
                return 404, {"ok": False, "description": f"unknown control op {op!r}"}
            return 400, {"ok": False, "description": f"{type(err).__name__}: {err}"}
        except Exception as err:
            return 400, {"ok": False, "description": f"{type(err).__name__}: {err}"}

    async def _get_updates(self, params: JSON) -> tuple[int, JSON]:
        loop = asyncio.get_running_loop()
        generation, timeout, limit = self.state.begin_poll(params)
        self._wake()  # an older long poll now answers 409
        deadline = loop.time() + timeout
        while True:
            event = self._event
            updates = self.state.poll(generation, limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0:
                return 200, {"ok": True, "result": updates}
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


class BotApiStandin(BotApiControl):
    """The stand-in on its own event loop in a background thread; helpers act on it directly."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        limits: Limits | None = TELEGRAM_LIMITS,
        username: str = "sitrep_test_bot",
        first_name: str = "Sitrep",
        port: int = 0,
    ) -> None:
        self.token = token
        self.state = BotState(token, username=username, first_name=first_name, limits=limits)
        self.server = BotApiServer(self.state)
        self._want_port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def _control(self, op: str, **kwargs: Any) -> Any:
        # A JSON round trip, as over HTTP: callers never hold references into live state.
        return json.loads(json.dumps(botapi_inject.control(self.state, op, kwargs)))

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="botapi-standin", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise RuntimeError("Bot API stand-in failed to start") from self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self.port = loop.run_until_complete(self.server.start("127.0.0.1", self._want_port))
        except BaseException as err:
            self._error = err
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self.server.close())
            loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._thread = None
        self._loop = None


async def _serve(args: argparse.Namespace) -> None:
    limits = None if args.no_limits else Limits()
    state = BotState(args.token, username=args.username, limits=limits)
    server = BotApiServer(state)
    port = await server.start(args.host, args.port)
    if args.print_port:
        print(port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Telegram Bot API stand-in")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--print-port", action="store_true", help="print the bound port first")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--username", default="sitrep_test_bot")
    parser.add_argument("--no-limits", action="store_true", help="disable flood limits")
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
