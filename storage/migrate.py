"""Run the Alembic migrations programmatically (the app calls :func:`upgrade` at start).

The Alembic config is built in code and ``script_location`` points at the ``migrations``
directory next to this file, so it works from a source checkout and from an installed wheel.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from storage.db import make_engine

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic :class:`Config` for our migrations, optionally bound to ``connection``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    """The newest revision shipped with the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@contextmanager
def _engine_for(engine_or_url: Engine | str | None) -> Iterator[Engine]:
    if isinstance(engine_or_url, Engine):
        yield engine_or_url
        return
    engine = make_engine(engine_or_url)
    try:
        yield engine
    finally:
        engine.dispose()


def upgrade(engine_or_url: Engine | str | None = None, revision: str = "head") -> None:
    """``alembic upgrade <revision>`` against an engine or URL (default: the SQLite default).

    On SQLite, foreign keys are switched off for the duration (batch migrations recreate tables,
    and dropping a referenced table with foreign keys on would cascade-delete child rows), then
    checked with ``PRAGMA foreign_key_check`` before being switched back on. On PostgreSQL
    instances starting together migrate one after the other (an advisory lock held meanwhile).
    """
    with _engine_for(engine_or_url) as engine, engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if not sqlite:
            conn.execute(text(_LOCK.format(fn="pg_advisory_lock")))
            conn.commit()
        if sqlite:
            # Must happen outside a transaction; go to the DBAPI connection directly.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            command.upgrade(alembic_config(conn), revision)
            conn.commit()  # in case the migration context left a transaction open
            if sqlite:
                problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                conn.rollback()
                if problems:
                    raise RuntimeError(f"foreign key violations after migration: {problems[:5]}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
            else:
                conn.rollback()
                conn.execute(text(_LOCK.format(fn="pg_advisory_unlock")))
                conn.commit()


# One key per schema, like the leader's lock (bot.leader), but a different name.
_LOCK: Final = "SELECT {fn}(hashtext('sitrep.migrate:' || coalesce(current_schema(), '')))"


def current_revision(engine_or_url: Engine | str | None = None) -> str | None:
    """The revision the database is at, or ``None`` if it was never migrated."""
    with _engine_for(engine_or_url) as engine, engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
