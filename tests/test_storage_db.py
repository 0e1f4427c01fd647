"""storage.db: URLs, SQLite pragmas, sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage import crud
from storage.db import is_sqlite, make_engine, normalize_url, session_scope


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg"),
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///x.sqlite3", "sqlite"),
        (None, "sqlite"),
    ],
)
def test_normalize_url(url: str | None, driver: str) -> None:
    assert normalize_url(url).drivername == driver


def test_unsupported_url() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        make_engine("mysql://u@h/db")


def test_sqlite_file_pragmas_and_parent_dir(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "sitrep.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
            }
        assert pragma == {
            "journal_mode": "wal",
            "busy_timeout": 5000,
            "foreign_keys": 1,
            "synchronous": 1,
        }
        assert path.exists()
        assert is_sqlite(engine)
    finally:
        engine.dispose()


def test_sqlite_in_memory_shares_one_connection() -> None:
    engine = make_engine("sqlite://")
    with session_scope(engine) as s:
        s.execute(text("CREATE TABLE t (x INTEGER)"))
        s.execute(text("INSERT INTO t VALUES (1)"))
    with session_scope(engine, readonly=True) as s:
        assert s.execute(text("SELECT x FROM t")).scalar() == 1


def test_session_scope_commits_and_rolls_back(engine: Engine) -> None:
    with session_scope(engine) as s:
        crud.upsert_chat(s, 1, type="private")
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        crud.upsert_chat(s, 2, type="private")
        raise RuntimeError("boom")
    with session_scope(engine, readonly=True) as s:
        assert crud.get_chat(s, 1) is not None
        assert crud.get_chat(s, 2) is None


def test_objects_usable_after_scope(engine: Engine) -> None:
    with session_scope(engine) as s:
        chat = crud.upsert_chat(s, -100123, type="supergroup", language="en")
    assert (chat.id, chat.language, chat.topics) == (-100123, "en", 63)


def test_foreign_keys_enforced(engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), session_scope(engine) as s:
        crud.subscribe(s, 999, "UA-74")  # no such chat
