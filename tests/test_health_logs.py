"""Health endpoint, metrics and logs, through a real HTTP client."""

from __future__ import annotations

import io
import json
import logging

import httpx

from bot.health import HealthServer
from bot.logs import JsonFormatter, RedactFilter
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


def test_logs_are_json_and_never_carry_the_token() -> None:
    token = "123456:ABC-secret-token"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter([token]))
    log = logging.getLogger("test.redact")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning(
            "POST https://api.telegram.org/bot%s/sendMessage failed", token, extra={"chat_id": 42}
        )
    finally:
        log.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert token not in stream.getvalue()
    assert line["chat_id"] == 42 and "<token>" in line["msg"]
