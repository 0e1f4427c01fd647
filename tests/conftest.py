"""Database fixtures: every ``engine`` test runs on SQLite (temp file) and on PostgreSQL.

PostgreSQL is the real server at ``SITREP_TEST_PG_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; ``scripts/ensure_postgres.sh`` starts it).
It is never skipped: an unreachable server is a test error. Each test gets its own schema
``t_<uuid>`` (via ``search_path``), dropped afterwards, so runs can repeat and go in parallel.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from bot.standins.tcp_proxy import TcpProxy
from storage.db import make_engine

PG_URL = os.environ.get("SITREP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """Engine on the test database's default schema, for creating/dropping test schemas."""
    engine = make_engine(PG_URL)
    with engine.connect() as conn:  # fail loudly (error, not skip) if PG is unreachable
        conn.execute(text("SELECT 1"))
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database (SQLite file) or empty private schema (PostgreSQL)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'db' / 'sitrep.sqlite3'}")
        yield engine
        engine.dispose()
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    schema = f"t_{uuid.uuid4().hex}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, search_path=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """``empty_engine`` with all tables created from the models (the migration test checks
    that this is the same schema the migrations produce)."""
    SQLModel.metadata.create_all(empty_engine)
    return empty_engine


@pytest.fixture
def pg_url(pg_admin: Engine) -> Iterator[str]:
    """A URL on a fresh private schema of the real PostgreSQL, for code run in a subprocess."""
    schema = f"t_{uuid.uuid4().hex}"
    with pg_admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with pg_admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def proxied_pg(pg_url: str) -> Iterator[tuple[Engine, TcpProxy]]:
    """An engine on a private PostgreSQL schema reached through a proxy that can cut it off
    (a database outage, for real: connections dropped, new ones refused)."""
    real = make_url(PG_URL)
    schema = pg_url.rsplit("%3D", 1)[1]
    with TcpProxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        engine = make_engine(url, search_path=schema)
        SQLModel.metadata.create_all(engine)
        try:
            yield engine, proxy
        finally:
            proxy.restore()
            engine.dispose()
