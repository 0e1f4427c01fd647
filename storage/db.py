"""Engines and sessions for SQLite (default) and PostgreSQL.

SQLite discipline — one writer at a time
----------------------------------------
SQLite allows many readers but a single writer. Every connection runs in WAL mode (readers never
block the writer and vice versa) with ``busy_timeout=5000`` ms, and write sessions start with
``BEGIN IMMEDIATE`` so the write lock is taken up front: a transaction that read first and
upgraded later could otherwise fail at once with SQLITE_BUSY instead of waiting. Keep it that way:

* route writes through one asyncio task (the ingest loop) where possible; other writers
  (sender, command handlers) must keep transactions short — a few statements, no network I/O
  while a session is open;
* run the blocking calls with ``asyncio.to_thread`` so the event loop never waits on the lock;
* open read-only sessions with ``session_scope(engine, readonly=True)`` (plain ``BEGIN``), so
  they don't queue behind writers.

PostgreSQL has no such limits; ``readonly`` is ignored there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

DEFAULT_URL: Final = "sqlite:///data/sitrep.sqlite3"

_SQLITE_PRAGMAS: Final = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
_BEGIN_OPTION: Final = "sitrep_sqlite_begin"
CONNECT_TIMEOUT_S: Final = 10


def normalize_url(url: str | None) -> URL:
    """Parse ``url`` (default :data:`DEFAULT_URL`), mapping PostgreSQL URLs to psycopg 3."""
    raw = url or DEFAULT_URL
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            raw = "postgresql+psycopg://" + raw[len(prefix) :]
    return make_url(raw)


def make_engine(
    url: str | None = None, *, search_path: str | None = None, echo: bool = False
) -> Engine:
    """Create an engine for ``url`` (SQLite file by default; ``postgres[ql]://`` → psycopg).

    For SQLite files the parent directory is created. ``search_path`` (PostgreSQL only) sets the
    schema search path of every connection — used by the tests to isolate themselves.
    """
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    if backend == "postgresql":
        # A server that does not answer (host down, packets dropped) fails a connect in
        # seconds, not after the kernel's minutes of retries: a command then hears "try later".
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
        if search_path:
            connect_args["options"] = f"-csearch_path={search_path}"
        return create_engine(parsed, echo=echo, pool_pre_ping=True, connect_args=connect_args)
    raise ValueError(f"unsupported database URL: {parsed.render_as_string()}")


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        kwargs["poolclass"] = StaticPool  # one shared connection, or every session sees no tables
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite; _on_begin emits BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in _SQLITE_PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def is_sqlite(engine: Engine) -> bool:
    """Whether ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine, *, readonly: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    ``expire_on_commit`` is off so returned objects stay usable after the block (e.g. passed back
    from ``asyncio.to_thread``). ``readonly`` sessions on SQLite don't take the write lock.
    """
    bind = engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"}) if readonly else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def database_unavailable(err: BaseException) -> bool:
    """Whether ``err`` (or what caused it) says the database cannot be reached or used right now
    — down, restarting, locked, out of connections, timed out — rather than a bug in a query.

    SQLAlchemy wraps the drivers' errors: connection failures, ``database is locked`` and
    statement timeouts are ``OperationalError``; a pool with no free connection times out.
    """
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    seen: BaseException | None = err
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, OperationalError | InterfaceError | PoolTimeout):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        seen = seen.__cause__ or seen.__context__
    return False
