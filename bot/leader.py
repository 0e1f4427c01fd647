"""Who runs the pollers, ``getUpdates`` and the JobQueue when several instances share a database.

PostgreSQL is the coordination engine; there is no protocol of our own. The leader is whoever
holds a session-level advisory lock (``pg_try_advisory_lock``) on a dedicated connection: the
lock lives exactly as long as that session, so a leader that dies (SIGKILL, host gone) releases
it when PostgreSQL closes its connection, and a standby, retrying every ``retry_s``, takes over.

A leader cut off from the database must stop leading *before* anyone else can take over. It
pings its connection every ``check_s`` and steps down when no ping has succeeded for
``step_down_s``; the server side of the connection is told (TCP keepalives) to notice a
vanished client only after :data:`SERVER_GIVES_UP_S`, which is longer. So two leaders never
overlap, and every duty they run is idempotent besides (posts and outbox rows are deduplicated).

The lock's key is derived from the schema (``current_schema()``), so instances on one database
but different schemas (the tests) elect separately.

SQLite allows one instance only: :func:`hold_sqlite` takes an exclusive lock on a file next to
the database, and :class:`Solo` is a leadership that always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import IO, Any, Final, Protocol, TypeVar

import psycopg

logger = logging.getLogger(__name__)

T = TypeVar("T")
Duty = Callable[[], Awaitable[None]]
KEEPALIVE_IDLE_S: Final = 5
KEEPALIVE_INTERVAL_S: Final = 2
KEEPALIVE_COUNT: Final = 3
SERVER_GIVES_UP_S: Final = KEEPALIVE_IDLE_S + KEEPALIVE_INTERVAL_S * KEEPALIVE_COUNT  # 11 s


class Leadership(Protocol):
    """What the runtime needs: start electing, know the role, stop (releasing the lead)."""

    @property
    def is_leader(self) -> bool: ...

    @property
    def role(self) -> str: ...

    async def start(self, on_elected: Duty, on_deposed: Duty) -> None: ...

    async def stop(self) -> None: ...


class _Role:
    """The role as health and metrics read it."""

    _leading: bool = False

    @property
    def is_leader(self) -> bool:
        return self._leading

    @property
    def role(self) -> str:
        return "leader" if self._leading else "standby"


class Solo(_Role):
    """The only instance (SQLite, the demo): leads from start to stop."""

    def __init__(self) -> None:
        self._leading = False
        self._on_deposed: Duty | None = None

    async def start(self, on_elected: Duty, on_deposed: Duty) -> None:
        self._leading, self._on_deposed = True, on_deposed
        await on_elected()

    async def stop(self) -> None:
        if self._leading and self._on_deposed is not None:
            self._leading = False
            await self._on_deposed()


def conninfo(database_url: str) -> str:
    """A libpq URI for ``database_url`` (the SQLAlchemy ``+psycopg`` driver suffix removed)."""
    from storage.db import normalize_url

    return (
        normalize_url(database_url)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


class PgElector(_Role):
    """Leader election on one PostgreSQL: at most one :class:`PgElector` per schema leads.

    ``await start(on_elected, on_deposed)`` returns at once; the election runs in a task.
    ``on_elected`` starts the leader's duties, ``on_deposed`` stops them (both awaited, never
    concurrently). ``await stop()`` steps down and closes the connection, releasing the lock.
    """

    def __init__(
        self,
        database_url: str,
        *,
        name: str = "sitrep.leader",
        retry_s: float = 2.0,
        check_s: float = 2.0,
        step_down_s: float = 5.0,
    ) -> None:
        if step_down_s >= SERVER_GIVES_UP_S:
            raise ValueError("step_down_s must be shorter than the server's keepalive give-up")
        self._info = conninfo(database_url)
        self.name = name
        self.retry_s, self.check_s, self.step_down_s = retry_s, check_s, step_down_s
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._leading = False
        self._task: asyncio.Task[None] | None = None
        self._on_elected: Duty | None = None
        self._on_deposed: Duty | None = None
        self.elected_at: float | None = None  # monotonic time of the last election won

    async def start(self, on_elected: Duty, on_deposed: Duty) -> None:
        self._on_elected, self._on_deposed = on_elected, on_deposed
        self._task = asyncio.create_task(self._run(), name="leader-election")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._step_down("stopping")
        await self._drop()

    # ---- the loop ----------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            if not self._leading:
                if await self._try_lead():
                    await self._elected()
                    if not self._leading:  # its duties failed to start: not at once again
                        await asyncio.sleep(self.retry_s)
                    continue
                await asyncio.sleep(self.retry_s)
                continue
            began = time.monotonic()
            if not await self._ping():
                await self._step_down("connection lost")
                await self._drop()
                await asyncio.sleep(2 * self.retry_s)  # the standbys, trying all along, go first
                continue
            await asyncio.sleep(max(0.0, self.check_s - (time.monotonic() - began)))

    async def _try_lead(self) -> bool:
        """One attempt: connect if needed, then ``pg_try_advisory_lock``; never raises."""
        try:
            if self._conn is None or self._conn.closed:
                self._conn = await within(self._connect(), self.step_down_s)
            conn = self._conn
            got = await within(self._query(conn, _TRY_LOCK, {"name": self.name}), self.step_down_s)
        except Exception as err:  # database away: try again later
            logger.info("leader.attempt_failed", extra={"error": repr(err)[:200]})
            await self._drop()
            return False
        return got is True

    async def _ping(self) -> bool:
        """The lock lives with the session: a session that still answers still holds it."""
        conn = self._conn
        if conn is None:
            return False
        try:
            await within(self._query(conn, "SELECT 1"), self.step_down_s - self.check_s)
        except Exception as err:
            logger.error("leader.ping_failed", extra={"error": repr(err)[:200]})
            return False
        return True

    async def _connect(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        conn = await psycopg.AsyncConnection.connect(
            self._info,
            autocommit=True,
            connect_timeout=max(2, int(self.step_down_s)),
            application_name="sitrep-leader",
            keepalives=1,
            keepalives_idle=KEEPALIVE_IDLE_S,
            keepalives_interval=KEEPALIVE_INTERVAL_S,
            keepalives_count=KEEPALIVE_COUNT,
        )
        # The server's side: drop the session (and the lock) once the client is gone for good.
        # A server that refuses (a managed service) keeps its own, longer keepalives: the
        # leader still steps down first, a takeover after a network split only takes longer.
        for setting, value in (
            ("tcp_keepalives_idle", KEEPALIVE_IDLE_S),
            ("tcp_keepalives_interval", KEEPALIVE_INTERVAL_S),
            ("tcp_keepalives_count", KEEPALIVE_COUNT),
        ):
            try:
                await conn.execute(f"SET {setting} = {int(value)}")
            except psycopg.Error as err:
                logger.warning("leader.keepalive_not_set", extra={"error": repr(err)[:200]})
        return conn

    @staticmethod
    async def _query(
        conn: psycopg.AsyncConnection[tuple[object, ...]],
        sql: str,
        params: dict[str, object] | None = None,
    ) -> object:
        cur = await conn.execute(sql, params)
        row = await cur.fetchone()
        return row[0] if row else None

    async def _elected(self) -> None:
        self._leading = True
        self.elected_at = time.monotonic()
        logger.warning("leader.elected", extra={"lock": self.name})
        if self._on_elected is not None:
            try:
                await self._on_elected()
            except Exception:
                logger.exception("leader.start_duties_failed")
                await self._step_down("duties failed to start")
                await self._drop()

    async def _step_down(self, why: str) -> None:
        if not self._leading:
            return
        self._leading = False
        logger.warning("leader.stepped_down", extra={"reason": why})
        if self._on_deposed is not None:
            try:
                await self._on_deposed()
            except Exception:
                logger.exception("leader.stop_duties_failed")

    async def _drop(self) -> None:
        """Close the connection (releasing the lock if the session still exists)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await within(conn.close(), 2)


async def within(work: Awaitable[T], timeout: float) -> T:
    """``work``'s result, or :class:`TimeoutError` after ``timeout`` — without waiting for the
    abandoned work to notice its cancellation (a query on a hung network may never notice,
    and ``asyncio.wait_for`` would wait for it)."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        task.cancel()
        task.add_done_callback(_forget)
        raise TimeoutError
    return task.result()


def _forget(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: an abandoned query's error is expected, not news


_TRY_LOCK: Final = (
    "SELECT pg_try_advisory_lock(hashtext(%(name)s || ':' || coalesce(current_schema(), '')))"
)


class AlreadyRunning(Exception):
    """Another ``sitrep run`` holds the SQLite database; ``str()`` is one line."""


@contextlib.contextmanager
def hold_sqlite(database: Path) -> Iterator[IO[str]]:
    """Hold an exclusive lock on ``<database>.lock`` for the block, or :class:`AlreadyRunning`.

    The operating system releases the lock when the process dies, however it dies.
    """
    path = database.with_name(database.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                f"another sitrep is already running on {database}: SQLite allows one instance "
                "(use PostgreSQL to run several)"
            ) from None
        yield handle
    finally:
        handle.close()
