"""Local stand-in for the alerts.in.ua API (``/v1/alerts/active.json``).

A ``ThreadingHTTPServer`` on 127.0.0.1 (ephemeral port) in a background thread. Bearer token
checked (401 otherwise), ``Last-Modified`` / ``If-Modified-Since`` → 304, 429 with Retry-After on
demand, every request recorded.

    with AlertsApiStandin(token="t") as api:
        api.set_alerts([alert(1, "Сумська область", oblast_uid=20)])
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from bot.standins.threaded import ThreadedServer, reply

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def alert(
    alert_id: int,
    title: str,
    *,
    oblast_uid: int,
    location_type: str = "oblast",
    alert_type: str = "air_raid",
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    oblast: str = "",
    raion: str = "",
    alert_level: str | None = None,
    threats: list[str] | None = None,
) -> dict[str, Any]:
    """One entry of ``alerts`` in the API's shape (``alert_level``/``threats`` when given)."""
    extra: dict[str, Any] = {}
    if alert_level is not None:
        extra["alert_level"] = alert_level
    if threats is not None:
        extra["threats"] = threats
    return extra | {
        "id": alert_id,
        "location_title": title,
        "location_type": location_type,
        "started_at": (started_at or T0).isoformat().replace("+00:00", ".000Z"),
        "finished_at": finished_at.isoformat().replace("+00:00", ".000Z") if finished_at else None,
        "updated_at": (started_at or T0).isoformat().replace("+00:00", ".000Z"),
        "alert_type": alert_type,
        "location_uid": str(oblast_uid if location_type == "oblast" else 1000 + alert_id),
        "location_oblast": oblast or (title if location_type == "oblast" else ""),
        "location_oblast_uid": oblast_uid,
        "location_raion": raion,
        "notes": None,
        "calculated": None,
    }


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]  # lower-case names
    status: int


class AlertsApiStandin(ThreadedServer):
    def __init__(self, *, token: str = "test-token", host: str = "127.0.0.1") -> None:
        self.token = token
        self._lock = threading.RLock()
        self._alerts: list[dict[str, Any]] = []
        self._modified = T0
        self._requests: list[RecordedRequest] = []
        self.rate_limit = 0  # answer 429 this many times
        self.retry_after: str | None = "20"
        self.server_error = 0  # answer 500 this many times
        super().__init__(_make_handler(self), host)

    def set_alerts(self, alerts: list[dict[str, Any]]) -> None:
        """Replace the active set; ``Last-Modified`` moves forward by at least a second."""
        with self._lock:
            self._alerts = [dict(a) for a in alerts]
            self._modified = max(
                datetime.now(UTC).replace(microsecond=0), self._modified + timedelta(seconds=1)
            )

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def _respond(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            status, extra, body = self._answer(path, headers)
            self._requests.append(RecordedRequest(path, headers, status))
            return status, extra, body

    def _answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if path != "/v1/alerts/active.json":
            return 404, {}, b'{"message": "Not found"}'
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {}, b'{"message": "Unauthorized"}'
        if self.rate_limit > 0:
            self.rate_limit -= 1
            extra = {"Retry-After": self.retry_after} if self.retry_after else {}
            return 429, extra, b'{"message": "Too many requests"}'
        if self.server_error > 0:
            self.server_error -= 1
            return 500, {}, b'{"message": "error"}'
        last_modified = format_datetime(self._modified, usegmt=True)
        since = headers.get("if-modified-since")
        if since:
            try:
                if parsedate_to_datetime(since) >= self._modified:
                    return 304, {"Last-Modified": last_modified}, b""
            except (TypeError, ValueError):
                pass
        body = {
            "alerts": self._alerts,
            "meta": {"last_updated_at": self._modified.isoformat(), "type": "full"},
            "disclaimer": "stand-in",
        }
        return 200, {"Last-Modified": last_modified}, json.dumps(body).encode()


def _make_handler(standin: AlertsApiStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "AlertsApiStandin/1.0"

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, body = standin._respond(urlsplit(self.path).path, headers)
            reply(self, status, body, extra, "application/json" if body else None)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
