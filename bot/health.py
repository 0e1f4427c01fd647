"""``/healthz`` and ``/metrics`` over a tiny asyncio HTTP server (no web framework needed).

``/healthz`` answers 200 with a JSON body when every check passes and 503 naming the failing
ones otherwise: the database is reachable, the sources polled recently, the dispatcher is alive.
The body also names the instance's ``role`` (leader or standby) when several may run.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from bot.metrics import Metrics

logger = logging.getLogger(__name__)

Check = Callable[[], Awaitable[tuple[bool, str]]]
# Other pages (the status page): the request target → (status line, content type, body), or
# None when the path is not theirs.
Page = Callable[[str], Awaitable[tuple[str, str, bytes] | None]]


class HealthServer:
    def __init__(
        self,
        metrics: Metrics,
        checks: dict[str, Check],
        host: str = "127.0.0.1",
        port: int = 9108,
        refresh: Callable[[], Awaitable[None]] | None = None,
        page: Page | None = None,
        role: Callable[[], str] | None = None,
    ) -> None:
        """``refresh`` brings gauges up to date (outbox depth…) before each ``/metrics``;
        ``page`` serves any other path (the status page at ``/``); ``role`` says whether this
        instance leads (shown in ``/healthz``; a standby is healthy too)."""
        self.role = role
        self.refresh = refresh
        self.page = page
        self.metrics = metrics
        self.checks = checks
        self.host, self.port = host, port
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        logger.info("health.listening", extra={"port": self.port})
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def health(self) -> tuple[bool, dict[str, str]]:
        results: dict[str, str] = {}
        ok = True
        for name, check in self.checks.items():
            try:
                passed, detail = await asyncio.wait_for(check(), timeout=3)
            except Exception as exc:  # a check that crashes is a failing check
                passed, detail = False, f"{type(exc).__name__}"
            ok &= passed
            results[name] = ("ok: " if passed else "FAIL: ") + detail
        return ok, results

    async def _page(self, path: str) -> tuple[str, str, bytes] | None:
        if self.page is None:
            return None
        try:
            return await self.page(path)
        except Exception:  # a broken page must not take /healthz down with it
            logger.exception("page.failed")
            return "500 Internal Server Error", "text/plain", b"error\n"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            while await asyncio.wait_for(reader.readline(), timeout=5) not in (b"\r\n", b"\n", b""):
                pass
            parts = request.decode("latin-1").split()
            path = parts[1] if len(parts) > 1 else "/"
            if path.startswith("/healthz"):
                ok, results = await self.health()
                report: dict[str, object] = {"ok": ok, "checks": results}
                if self.role is not None:
                    report["role"] = self.role()
                body = json.dumps(report).encode()
                status, ctype = ("200 OK" if ok else "503 Service Unavailable"), "application/json"
            elif path.startswith("/metrics"):
                if self.refresh is not None:
                    try:
                        await self.refresh()
                    except Exception:  # stale gauges are better than no metrics
                        logger.exception("metrics.refresh_failed")
                body, status, ctype = self.metrics.render(), "200 OK", "text/plain; version=0.0.4"
            else:
                found = await self._page(path)
                if found is None:
                    body, status, ctype = b"not found\n", "404 Not Found", "text/plain"
                else:
                    status, ctype, body = found
            head = f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
