"""Two ``sitrep run`` instances on one PostgreSQL; the leader is SIGKILLed mid-broadcast.

    python benchmarks/failover.py [--quick] [--chats N]

The real processes against the Bot API stand-in (its own process, no rate limits) and the
t.me stand-in. Instance A starts and leads; B starts as a standby. A channel post fans out to
every chat; while both dispatchers deliver it, A is killed (SIGKILL) and a second post is
published at once — nobody polls until B takes over. Measured: how long B takes to lead
(``recovered_s``, read from its ``/healthz``), and per chat and post whether the alert came:
``lost`` (never), ``repeated`` (extra copies; only rows in flight at the kill may repeat),
``false_alerts`` (messages nobody should have got). After the takeover a user sends /start:
B, now polling ``getUpdates``, answers. Needs PostgreSQL: ``DATABASE_URL``, or
the test server at 127.0.0.1:5432/test. The last line printed is one JSON object.

:func:`run_failover` is the scenario for ``benchmarks/faults.py`` and the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.standins.botapi_client import BotApiProcess  # noqa: E402
from bot.standins.tme_server import TmeStandin  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.models import Chat, Subscription  # noqa: E402

NAME = "two instances, leader killed"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CHANNEL, REGION = "chernigivskaODA", "UA-74"
# Two posts of different kinds, so each is an incident (and a message) of its own.
POSTS = {
    "outage": ("Чернігів: внаслідок атаки без світла 30 тисяч споживачів.", "30 000"),
    "shelling": ("Ворог обстріляв Чернігів, пошкоджено адмінбудівлю.", "Обстріл"),
}
FIRST_CHAT = 20_000
USER = 501  # a person who sends /start after the takeover


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _role(port: int) -> str | None:
    try:
        body = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
    except (httpx.HTTPError, ValueError):
        return None
    role = body.get("role")
    return str(role) if role else None


def _gauge(port: int) -> float | None:
    """``sitrep_leader`` from the instance's ``/metrics``."""
    try:
        body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except httpx.HTTPError:
        return None
    for line in body.splitlines():
        if line.startswith("sitrep_leader "):
            return float(line.split()[1])
    return None


def _until(pred: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if pred():
            return time.monotonic() - started
        time.sleep(0.05)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


def _seed_chats(engine: Engine, n: int) -> list[int]:
    now = datetime.now(UTC)
    ids = [FIRST_CHAT + i for i in range(n)]
    chats = [
        {"id": i, "type": "private", "language": "uk", "active": True, "topics": 63,
         "digest_time": None, "created_at": now}
        for i in ids
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Chat), chats)
        conn.execute(
            insert(Subscription), [{"chat_id": i, "region": REGION, "created_at": now} for i in ids]
        )
    return ids


def _sending_chats(engine: Engine) -> set[int]:
    with session_scope(engine, readonly=True) as s:
        rows = s.exec(text("SELECT chat_id FROM outbox WHERE status = 'sending'"))  # type: ignore[call-overload]
        return {int(r[0]) for r in rows}


def _open_rows(engine: Engine) -> int:
    with session_scope(engine, readonly=True) as s:
        return len(s.exec(text("SELECT id FROM outbox WHERE status <> 'sent'")).all())  # type: ignore[call-overload]


def run_failover(
    quick: bool,
    *,
    chats: int | None = None,
    database_url: str | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The scenario; returns the fault table's row plus details (``uncertain``: chats whose
    row was in flight at the kill, the only ones allowed a repeat)."""
    n = chats or (200 if quick else 1000)
    base_url = database_url or os.environ.get("DATABASE_URL") or PG_URL
    schema = f"failover_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    tmp = Path(tempfile.mkdtemp(prefix="failover-"))
    registry = tmp / "channels.json"
    registry.write_text(
        json.dumps(
            {
                "channels": [
                    {
                        "username": CHANNEL,
                        "kind": "governor",
                        "default_region": REGION,
                        "confirmed": True,
                    }
                ]
            }
        )
    )
    procs: dict[str, subprocess.Popen[bytes]] = {}
    ports = {"a": _free_port(), "b": _free_port()}
    try:
        with TmeStandin() as tme, BotApiProcess(limits=None) as tg:
            tme.add_channel(CHANNEL)

            def start(who: str) -> subprocess.Popen[bytes]:
                env = {
                    **os.environ,
                    "PYTHONPATH": str(ROOT),
                    "DATABASE_URL": url,
                    "SITREP_BOT_TOKEN": tg.token,
                    "SITREP_BOT_API_BASE_URL": tg.base_url,
                    "SITREP_TELEGRAM_WEB_URL": tme.base_url,
                    "SITREP_CHANNELS_FILE": str(registry),
                    "SITREP_POLL_INTERVAL_S": "0.5",
                    "SITREP_METRICS_PORT": str(ports[who]),
                    "SITREP_BROADCAST_RATE": "30",
                }
                err = (tmp / f"{who}.log").open("wb")
                cmd = [sys.executable, "-m", "sitrep.cli", "run"]
                return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=err, stderr=err)

            procs["a"] = start("a")
            _until(lambda: _role(ports["a"]) == "leader", 60, "A leads")
            procs["b"] = start("b")
            _until(lambda: _role(ports["b"]) == "standby", 60, "B stands by")
            gauges = [_gauge(ports["a"]), _gauge(ports["b"])]
            ids = _seed_chats(engine, n)
            log(f"A leads, B stands by; {n} chats; broadcasting")
            tme.add_post(CHANNEL, POSTS["outage"][0])

            def delivered() -> int:
                return len(tg.calls("sendMessage", ok=True))

            _until(lambda: delivered() >= max(10, n // 5), 60, "the broadcast starts")
            procs["a"].send_signal(signal.SIGKILL)
            killed = time.monotonic()
            procs["a"].wait()
            uncertain = _sending_chats(engine)  # rows A (or B) had claimed at the kill
            tme.add_post(CHANNEL, POSTS["shelling"][0])  # published while nobody leads
            at_kill = delivered()
            recovered = _until(lambda: _role(ports["b"]) == "leader", 30, "B takes over")
            log(f"A killed after {at_kill} sends; B led {recovered:.1f} s later")
            tg.send_text(USER, "/start", user_id=USER, language_code="en")  # B polls updates now
            answered = _until(lambda: bool(tg.sent(USER)), 30, "B answers a command")
            gauges.append(_gauge(ports["b"]))
            settle = time.monotonic() + (90 if quick else 180)
            expected = 2 * n
            while time.monotonic() < settle:
                got = {(m.chat_id, k) for i in ids for m in tg.sent(i) for k in _kinds(m.text)}
                if len(got) >= expected and _open_rows(engine) == 0:
                    break
                time.sleep(0.5)
            seen: Counter[tuple[int, str]] = Counter()
            false_alerts = 0
            chat_set = set(ids)
            for call in tg.calls("sendMessage", ok=True):
                chat = int(call.params["chat_id"])
                if chat == USER:
                    continue  # the reply to /start
                kinds = _kinds(str(call.params.get("text", "")))
                if chat not in chat_set or len(kinds) != 1:
                    false_alerts += 1
                    continue
                seen[(chat, kinds[0])] += 1
            lost = sum((i, k) not in seen for i in ids for k in POSTS)
            repeats = {key: c - 1 for key, c in seen.items() if c > 1}
            stray = sorted({chat for chat, _ in repeats} - uncertain)
            result = {
                "name": NAME,
                "delivered": len(seen),
                "lost": lost,
                "repeated": sum(repeats.values()),
                "false_alerts": false_alerts,
                "recovered_s": round(recovered, 2),
                "chats": n,
                "sent_at_kill": at_kill,
                "in_flight_at_kill": len(uncertain),
                "repeats_outside_in_flight": len(stray),
                "done_in_s": round(time.monotonic() - killed, 1),
                "command_answered_after_s": round(recovered + answered, 1),
                "leader_gauge": gauges,  # A, B before the kill; B after
            }
            procs["b"].send_signal(signal.SIGTERM)
            procs["b"].wait(15)
            return result
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _kinds(message: str) -> list[str]:
    """Which of the posts a message is the alert of (by a mark of its rendering)."""
    return [kind for kind, (_, mark) in POSTS.items() if mark in message.replace("\xa0", " ")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="200 chats instead of 1000")
    ap.add_argument("--chats", type=int, default=None)
    args = ap.parse_args()
    result = run_failover(args.quick, chats=args.chats)
    for key, value in result.items():
        print(f"{key:>28}: {value}")
    print(json.dumps({**result, "failover_s": result["recovered_s"]}))


if __name__ == "__main__":
    main()
