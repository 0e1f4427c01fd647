"""Leader election on the real PostgreSQL (``bot.leader``), and SQLite's single instance.

Two electors on one schema: exactly one leads; when the leader's session ends the other takes
over within seconds; a leader cut off from the database (a frozen network, the server still
holding its session) steps down before anyone else can win.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.leader import AlreadyRunning, PgElector, hold_sqlite
from bot.standins.botapi_server import BotApiStandin

ROOT = Path(__file__).resolve().parents[1]
SITREP = [sys.executable, "-m", "sitrep.cli"]


class Log:
    """Records when each elector's duties start and stop."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str, str]] = []

    def duties(self, who: str) -> tuple[object, object]:
        async def elected() -> None:
            self.events.append((time.monotonic(), who, "elected"))

        async def deposed() -> None:
            self.events.append((time.monotonic(), who, "deposed"))

        return elected, deposed

    def when(self, who: str, what: str) -> float | None:
        return next((t for t, w, e in self.events if w == who and e == what), None)


async def _until(pred: object, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if pred():  # type: ignore[operator]
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def _fast(url: str, **kw: float) -> PgElector:
    return PgElector(url, retry_s=kw.get("retry_s", 0.3), check_s=0.5, step_down_s=2.0)


async def test_one_leader_and_takeover_when_its_session_ends(pg_url: str, pg_admin: Engine) -> None:
    log = Log()
    a, b = _fast(pg_url), _fast(pg_url)
    await a.start(*log.duties("a"))  # type: ignore[arg-type]
    await _until(lambda: a.is_leader, 10)
    await b.start(*log.duties("b"))  # type: ignore[arg-type]
    try:
        await asyncio.sleep(1.5)  # several attempts
        assert (a.role, b.role) == ("leader", "standby")
        # the leader's session ends (as when its process is killed): the server drops the lock
        with pg_admin.begin() as conn:
            killed = conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": _pid(a)})
            assert killed.scalar() is True
        took = await _until(lambda: b.is_leader, 15)
        await _until(lambda: not a.is_leader, 5)
        assert took < 15
        assert [e for _, w, e in log.events if w == "a"] == ["elected", "deposed"]
    finally:
        await a.stop()
        await b.stop()
    assert [e for _, w, e in log.events if w == "b"] == ["elected", "deposed"]


def _pid(elector: PgElector) -> int:
    conn = elector._conn
    assert conn is not None
    return int(conn.info.backend_pid)


async def test_stopping_the_leader_hands_over(pg_url: str) -> None:
    log = Log()
    a, b = _fast(pg_url), _fast(pg_url)
    await a.start(*log.duties("a"))  # type: ignore[arg-type]
    await _until(lambda: a.is_leader, 10)
    await b.start(*log.duties("b"))  # type: ignore[arg-type]
    try:
        await asyncio.sleep(0.8)
        assert not b.is_leader
        await a.stop()
        assert log.when("a", "deposed") is not None
        await _until(lambda: b.is_leader, 5)
    finally:
        await a.stop()
        await b.stop()


async def test_schemas_elect_separately(pg_url: str, pg_admin: Engine) -> None:
    other = pg_url.replace("t_", "u_", 1)
    schema = other.rsplit("%3D", 1)[1]
    with pg_admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    a, b = _fast(pg_url), _fast(other)
    log = Log()
    try:
        await a.start(*log.duties("a"))  # type: ignore[arg-type]
        await b.start(*log.duties("b"))  # type: ignore[arg-type]
        await _until(lambda: a.is_leader and b.is_leader, 10)
    finally:
        await a.stop()
        await b.stop()
        with pg_admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


class FreezableProxy:
    """A TCP relay to PostgreSQL that can stop relaying without closing (a network that hangs)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.frozen = False
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    while self.frozen:
                        await asyncio.sleep(0.05)
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def cut(self) -> None:
        """Now the server notices: its side of the relay closes."""
        for w in self._writers:
            w.close()
        if self._server is not None:
            self._server.close()


async def test_a_leader_cut_off_steps_down_before_anyone_takes_over(pg_url: str) -> None:
    parts = urlsplit(pg_url)
    proxy = FreezableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    via_proxy = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    log = Log()
    a, b = _fast(via_proxy), _fast(pg_url)
    await a.start(*log.duties("a"))  # type: ignore[arg-type]
    await _until(lambda: a.is_leader, 10)
    await b.start(*log.duties("b"))  # type: ignore[arg-type]
    try:
        await asyncio.sleep(0.8)
        proxy.frozen = True  # a hangs; the server still holds its session and the lock
        await _until(lambda: not a.is_leader, 2.0 + 1.0)  # step_down_s, plus a check
        await asyncio.sleep(1.0)
        assert not b.is_leader  # nobody else could take over yet
        await proxy.cut()  # the server finally drops the session
        await _until(lambda: b.is_leader, 5)
        deposed, elected = log.when("a", "deposed"), log.when("b", "elected")
        assert deposed is not None and elected is not None and deposed < elected
    finally:
        await a.stop()
        await b.stop()


def test_sqlite_lock_is_exclusive(tmp_path: Path) -> None:
    db = tmp_path / "d" / "sitrep.sqlite3"
    held = pytest.raises(AlreadyRunning, match="SQLite allows one instance")
    with hold_sqlite(db), held, hold_sqlite(db):
        pass
    with hold_sqlite(db):  # released with its holder
        pass


def test_a_second_run_on_one_sqlite_file_says_so_and_exits_2(tmp_path: Path) -> None:
    db = tmp_path / "sitrep.sqlite3"
    with BotApiStandin() as tg:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{db}",
            "SITREP_BOT_TOKEN": tg.token,
            "SITREP_BOT_API_BASE_URL": tg.base_url,
            "SITREP_TELEGRAM_WEB_URL": "http://127.0.0.1:9",
            "SITREP_METRICS_PORT": "0",
        }
        first = subprocess.Popen(
            [*SITREP, "run"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            deadline = time.monotonic() + 30
            while not tg.calls("getUpdates") and time.monotonic() < deadline:
                time.sleep(0.1)
            assert tg.calls("getUpdates"), "the first instance never started"
            second = subprocess.run(
                [*SITREP, "run"], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT
            )
            assert first.poll() is None  # the first one is untouched
        finally:
            first.terminate()
            first.wait(15)
    assert second.returncode == 2
    assert second.stderr.strip() == (
        f"another sitrep is already running on {db}: SQLite allows one instance "
        "(use PostgreSQL to run several)"
    )
