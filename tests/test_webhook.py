"""``sitrep run`` in webhook mode, as a process, against the Bot API stand-in: Telegram's POSTs
reach the bot through the "reverse proxy" (the stand-in's route) and get answered; a POST
without the secret is refused and never handled; SIGTERM stops it cleanly, and what arrives
meanwhile is delivered after the restart; two instances behind one URL both answer."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bot.standins.botapi_server import BotApiStandin
from bot.standins.botapi_webhook import SECRET_HEADER
from handlers.app import ALLOWED_UPDATES
from tests.support.outages import free_port

SITREP = [sys.executable, "-m", "sitrep.cli"]
PUBLIC = "https://bot.example.org"
HOOK = f"{PUBLIC}/telegram/updates"
SECRET = "wh_Secret-for-the-test-0123456789"


def _until(pred: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := pred():
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _env(tg: BotApiStandin, tmp: Path, database_url: str, port: int) -> dict[str, str]:
    registry = tmp / "channels.json"
    registry.write_text(json.dumps({"channels": []}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SITREP_BOT_TOKEN": tg.token,
            "SITREP_BOT_API_BASE_URL": tg.base_url,
            "SITREP_TELEGRAM_WEB_URL": "http://127.0.0.1:9",
            "SITREP_CHANNELS_FILE": str(registry),
            "SITREP_METRICS_PORT": "0",
            "SITREP_WEBHOOK_URL": HOOK,
            "SITREP_WEBHOOK_LISTEN": "127.0.0.1",
            "SITREP_WEBHOOK_PORT": str(port),
            "SITREP_WEBHOOK_SECRET": SECRET,
        }
    )
    return env


@contextmanager
def sitrep_run(env: dict[str, str], port: int, cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [*SITREP, "run"], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        _until(lambda: proc.poll() is not None or _listening(port), 60)
        assert proc.poll() is None, proc.communicate(timeout=10)[1].decode()[-2000:]
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def _forged_start(user: int) -> dict[str, Any]:
    """A genuine-looking /start update that did not come from Telegram."""
    return {
        "update_id": 999_000_001,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": "Mallory"},
            "from": {"id": user, "is_bot": False, "first_name": "Mallory", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def test_run_in_webhook_mode_end_to_end(tmp_path: Path) -> None:
    port = free_port()
    with BotApiStandin() as tg:
        tg.webhook_route(PUBLIC, f"http://127.0.0.1:{port}")  # the operator's reverse proxy
        env = _env(tg, tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}", port)
        with sitrep_run(env, port, tmp_path) as proc:
            [call] = tg.calls("setWebhook")
            assert call.params["url"] == HOOK and call.params["secret_token"] == SECRET
            assert call.params["allowed_updates"] == list(ALLOWED_UPDATES)
            assert not call.params.get("drop_pending_updates")

            # Telegram → reverse proxy → the bot's webhook → sendMessage
            tg.send_text(501, "/start", user_id=501, language_code="en")
            greeting = _until(lambda: tg.sent(501), 30)[0].text
            assert greeting.startswith("👋 Hello") and "Sitrep" in greeting
            tg.send_text(501, "/latest Chernihiv oblast", user_id=501, language_code="en")
            latest = _until(lambda: tg.sent(501)[1:], 30)[0].text
            assert latest.startswith("📍 Chernihiv") and "last 12 h" in latest
            log = _until(lambda: (a := tg.webhook_log()["attempts"]) and len(a) == 2 and a, 5)
            assert [a["status"] for a in log] == [200, 200]

            # A POST without the secret, or with a wrong one, is refused and never handled.
            local = f"http://127.0.0.1:{port}/telegram/updates"
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}):
                forged = httpx.post(local, json=_forged_start(666), headers=headers, timeout=5)
                assert forged.status_code == 403
            tg.send_text(502, "/start", user_id=502, language_code="en")  # handled after them
            _until(lambda: tg.sent(502), 30)
            assert tg.sent(666) == []
            assert tg.calls("getUpdates") == [] and tg.calls("deleteWebhook") == []

            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(15) == 0
            assert time.monotonic() - started < 10
            err = proc.communicate(timeout=10)[1].decode()
        assert not _listening(port)
        info = tg.webhook()
        assert info["url"] == HOOK  # the webhook stays set: Telegram keeps updates meanwhile
        assert "last_error_message" not in info

        # While no instance listens, Telegram keeps the update and retries; a restart gets it.
        tg.send_text(503, "/start", user_id=503, language_code="en")
        _until(lambda: tg.webhook().get("last_error_message"), 10)
        assert tg.webhook()["last_error_message"].startswith("Connection failed")
        with sitrep_run(env, port, tmp_path):
            _until(lambda: tg.sent(503), 60)
        assert tg.webhook_log()["given_up"] == []
    assert tg.token.partition(":")[2] not in err and SECRET not in err
    assert '"webhook": true' in err


def test_every_instance_answers_and_one_surviving_is_enough(pg_url: str, tmp_path: Path) -> None:
    """Two ``sitrep run`` on one PostgreSQL behind one URL (the route takes turns, as a load
    balancer would): both answer; after SIGKILL of one, Telegram's retry reaches the other."""
    ports = [free_port(), free_port()]
    with BotApiStandin() as tg:
        tg.webhook_route(PUBLIC, [f"http://127.0.0.1:{p}" for p in ports])
        envs = [_env(tg, tmp_path, pg_url, p) for p in ports]
        for sub in ("a", "b"):
            (tmp_path / sub).mkdir()
        with (
            sitrep_run(envs[0], ports[0], tmp_path / "a") as first,
            sitrep_run(envs[1], ports[1], tmp_path / "b"),
        ):
            for user in (601, 602, 603, 604):
                tg.send_text(user, "/start", user_id=user, language_code="en")
            _until(lambda: all(tg.sent(u) for u in (601, 602, 603, 604)), 30)
            log = _until(lambda: (a := tg.webhook_log()["attempts"]) and len(a) == 4 and a, 5)
            assert {a["status"] for a in log} == {200}

            first.kill()
            first.wait(10)
            for user in (605, 606, 607):
                tg.send_text(user, "/start", user_id=user, language_code="en")
            _until(lambda: all(tg.sent(u) for u in (605, 606, 607)), 30)
        attempts = tg.webhook_log()["attempts"][4:]
        assert any(a["status"] is None for a in attempts)  # the dead one refused the connection
        assert sum(a["status"] == 200 for a in attempts) == 3
        assert tg.webhook_log()["given_up"] == []
        assert len(tg.calls("setWebhook")) == 2 and tg.calls("getUpdates") == []


def test_a_taken_webhook_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken, BotApiStandin() as tg:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = _env(tg, tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}", port)
        out = subprocess.run(
            [*SITREP, "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    assert out.returncode == 2, out.stderr[-2000:]
    assert out.stderr.strip().splitlines()[-1] == (
        f"configuration error: SITREP_WEBHOOK_PORT: cannot listen on 127.0.0.1:{port}: "
        "Address already in use"
    )
    assert "Traceback" not in out.stderr and SECRET not in out.stderr


def test_a_webhook_url_telegram_refuses_is_one_last_line(tmp_path: Path) -> None:
    with BotApiStandin() as tg:  # not the official API: the settings let http through
        env = _env(tg, tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}", free_port())
        env["SITREP_WEBHOOK_URL"] = "http://bot.example.org/telegram/updates"
        out = subprocess.run(
            [*SITREP, "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    assert out.returncode == 2, out.stderr[-2000:]
    assert out.stderr.strip().splitlines()[-1] == (
        "configuration error: SITREP_WEBHOOK_URL: refused by Telegram: "
        "Bad webhook: an https url must be provided for webhook"
    )
    assert SECRET not in out.stderr and tg.token.partition(":")[2] not in out.stderr
