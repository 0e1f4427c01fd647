"""Shared pieces of the fault suite (``benchmarks/faults.py``): a scenario's row, counting what
Telegram received against what should have been sent, a fresh database, ``sitrep run`` as a
process.

Counting goes by the Bot API stand-in's own record of ``sendMessage`` calls it executed: every
expected message is a key ``(chat, label)`` (``label`` from the message text), so a message that
never arrived is *lost*, a second copy is *repeated*, and anything outside the expected keys is a
*false alert*.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.standins.botapi_state import Call  # noqa: E402
from storage.db import make_engine  # noqa: E402

Key = tuple[int, str]


@dataclass
class Row:
    """One line of the table. ``window``: repeats the scenario allows (its in-flight window)."""

    name: str
    delivered: int | None = None
    lost: int | None = None
    repeated: int | None = None
    false_alerts: int | None = None
    recovered_s: float | None = None
    window: int = 0
    available: bool = True
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "available": self.available,
            "delivered": self.delivered,
            "lost": self.lost,
            "repeated": self.repeated,
            "window": self.window,
            "false_alerts": self.false_alerts,
            "recovered_s": self.recovered_s,
            **self.details,
        }


def any_text(_text: str) -> str:
    return "msg"


def tally(
    calls: Iterable[Call],
    expected: Iterable[Key],
    label: Callable[[str], str] = any_text,
    row: Row | None = None,
) -> Row:
    """Fill ``delivered``/``lost``/``repeated``/``false_alerts`` from executed sendMessages."""
    row = row or Row("")
    want = set(expected)
    got: Counter[Key] = Counter(
        (int(c.params["chat_id"]), label(str(c.params.get("text", "")))) for c in calls
    )
    row.delivered = sum(1 for k in want if got[k])
    row.lost = len(want) - row.delivered
    row.repeated = sum(n - 1 for k, n in got.items() if k in want and n > 1)
    row.false_alerts = sum(n for k, n in got.items() if k not in want)
    return row


def sends(tg: Any) -> list[Call]:
    """The ``sendMessage`` calls the stand-in executed."""
    return list(tg.calls("sendMessage", ok=True))


def first_after(calls: Iterable[Call], t: float) -> float | None:
    """Seconds from ``t`` (stand-in clock, ``time.time``) to the first call after it."""
    later = [c.time for c in calls if c.time >= t]
    return round(min(later) - t, 1) if later else None


def wait_for(predicate: Callable[[], bool], timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


# ---- databases --------------------------------------------------------------------------


@dataclass
class Database:
    """A fresh SQLite file, or a fresh schema on PostgreSQL (``DATABASE_URL``/``pg=``)."""

    engine: Engine
    url: str  # for a child process: the schema rides in the URL's options
    backend: str
    schema: str | None = None
    admin_url: str | None = None

    def drop(self) -> None:
        self.engine.dispose()
        if self.schema is not None and self.admin_url is not None:
            pg_admin(self.admin_url, f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


def pg_admin(url: str, sql: str) -> None:
    admin = make_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


def fresh_database(prefix: str, pg_url: str | None = None) -> Database:
    url = pg_url or os.environ.get("DATABASE_URL")
    if not url:
        path = Path(tempfile.mkdtemp(prefix=f"faults-{prefix}-")) / "sitrep.sqlite3"
        sqlite = f"sqlite:///{path}"
        return Database(make_engine(sqlite), sqlite, "sqlite")
    schema = f"faults_{prefix}_{uuid.uuid4().hex[:8]}"
    pg_admin(url, f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in url else "?"
    child = f"{url}{sep}options=-csearch_path%3D{schema}"
    return Database(make_engine(url, search_path=schema), child, "postgresql", schema, url)


# ---- sitrep run as a process --------------------------------------------------------------


def registry_file(channels: list[dict[str, Any]]) -> Path:
    path = Path(tempfile.mkdtemp(prefix="faults-registry-")) / "channels.json"
    path.write_text(json.dumps({"channels": channels}))
    return path


REGISTRY = [
    {"username": "air_alert_ua", "kind": "alerts", "confirmed": True},
    {"username": "chernigivskaODA", "kind": "governor", "default_region": "UA-74",
     "confirmed": True},
]  # fmt: skip


SITREP = [sys.executable, "-m", "sitrep.cli"]


def sitrep_run(
    db: Database, tg: Any, tme_url: str, *, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``sitrep run`` against the stand-ins (no metrics port, logs discarded)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db.url,
        "SITREP_BOT_TOKEN": tg.token,
        "SITREP_BOT_API_BASE_URL": tg.base_url,
        "SITREP_TELEGRAM_WEB_URL": tme_url,
        "SITREP_CHANNELS_FILE": str(registry_file(REGISTRY)),
        "SITREP_METRICS_PORT": "0",
        "SITREP_DATA_DIR": str(Path(tempfile.gettempdir())),
        **(extra or {}),
    }
    env.pop("SITREP_ALERTS_IN_UA_TOKEN", None)
    return subprocess.Popen(
        [*SITREP, "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> int:
    """SIGTERM, then SIGKILL if it does not exit in time; the exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return int(proc.returncode)
