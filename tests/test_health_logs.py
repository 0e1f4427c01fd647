"""Health endpoint, metrics and logs, through a real HTTP client."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest
from telegram.error import InvalidToken

from bot.health import HealthServer
from bot.logs import JsonFormatter, TextFormatter
from bot.metrics import Metrics


async def _ok() -> tuple[bool, str]:
    return True, "reachable"


async def _stale() -> tuple[bool, str]:
    return False, "no poll since 12:00"


async def _crash() -> tuple[bool, str]:
    raise RuntimeError("boom")


async def test_healthz_and_metrics() -> None:
    metrics = Metrics()
    metrics.polls.labels("kpszsu", "ok").inc()
    metrics.events.labels("drones").inc(3)
    server = HealthServer(metrics, {"database": _ok}, host="127.0.0.1", port=0)
    port = await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            r = await client.get("/healthz")
            assert r.status_code == 200 and r.json()["ok"] is True
            m = await client.get("/metrics")
            assert 'sitrep_polls_total{channel="kpszsu",outcome="ok"} 1.0' in m.text
            assert 'sitrep_events_total{kind="drones"} 3.0' in m.text
            assert (await client.get("/nope")).status_code == 404
        server.checks = {"database": _ok, "sources": _stale, "dispatcher": _crash}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            r = await client.get("/healthz")
            assert r.status_code == 503
            checks = r.json()["checks"]
            assert checks["sources"].startswith("FAIL") and checks["dispatcher"].startswith("FAIL")
    finally:
        await server.stop()


async def test_healthz_names_the_role_and_a_standby_is_healthy() -> None:
    metrics, role = Metrics(), ["standby"]
    server = HealthServer(metrics, {"database": _ok}, port=0, role=lambda: role[0])
    port = await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            r = await client.get("/healthz")
            assert r.status_code == 200 and r.json()["role"] == "standby"
            assert "sitrep_leader 0.0" in (await client.get("/metrics")).text
            role[0] = "leader"
            metrics.leader.set(1)
            assert (await client.get("/healthz")).json()["role"] == "leader"
            assert "sitrep_leader 1.0" in (await client.get("/metrics")).text
    finally:
        await server.stop()


def _log_through(formatter: logging.Formatter, emit: Callable[[logging.Logger], None]) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    log = logging.getLogger("test.redact")
    log.addHandler(handler)
    log.propagate = False
    try:
        emit(log)
    finally:
        log.removeHandler(handler)
    return stream.getvalue()


TOKEN = "123456:ABC-secret-token-0123456789abcdef"


def test_logs_are_json_and_never_carry_the_token() -> None:
    out = _log_through(
        JsonFormatter([TOKEN]),
        lambda log: log.warning(
            "POST https://api.telegram.org/bot%s/sendMessage failed", TOKEN, extra={"chat_id": 42}
        ),
    )
    line = json.loads(out)
    assert TOKEN not in out
    assert line["chat_id"] == 42 and "<token>" in line["msg"]


@pytest.mark.parametrize("formatter", [JsonFormatter([TOKEN]), TextFormatter([TOKEN])])
def test_token_is_masked_in_exceptions_extras_and_every_spelling(
    formatter: logging.Formatter,
) -> None:
    def emit(log: logging.Logger) -> None:
        try:
            raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
        except InvalidToken:
            log.exception("start failed", extra={"url": f"https://x/bot{quote(TOKEN, safe='')}"})
        log.info("webhook path /%s", TOKEN.partition(":")[2])

    out = _log_through(formatter, emit)
    assert "InvalidToken" in out and "<token>" in out
    assert TOKEN not in out and quote(TOKEN, safe="") not in out
    assert TOKEN.partition(":")[2] not in out
