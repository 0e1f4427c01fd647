"""Migrations: upgrade from nothing, schema == models, programmatic config, packaging."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from storage import crud
from storage.db import session_scope
from storage.migrate import MIGRATIONS_DIR, current_revision, head_revision, upgrade


def _diffs(engine: Engine, metadata: MetaData) -> list[object]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, metadata))


def test_upgrade_matches_models(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision() == "0009"
    assert _diffs(empty_engine, SQLModel.metadata) == []
    upgrade(empty_engine)  # idempotent
    assert current_revision(empty_engine) == "0009"
    # the migrated schema is usable and keeps its foreign keys/cascades
    with session_scope(empty_engine) as s:
        crud.upsert_chat(s, 5, type="private")
        crud.subscribe(s, 5, "UA-74")
    with session_scope(empty_engine) as s:
        assert crud.forget_chat(s, 5)
    with session_scope(empty_engine) as s:
        assert crud.chat_ids_for(s, "UA-74") == []


def test_compare_detects_drift(empty_engine: Engine) -> None:
    """Guard against a vacuous comparison: an extra model table shows up as a diff."""
    upgrade(empty_engine)
    extra = MetaData(naming_convention=SQLModel.metadata.naming_convention)
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(extra)
    Table("nope", extra, Column("id", Integer, primary_key=True))
    diffs = _diffs(empty_engine, extra)
    assert [d[0] for d in diffs if isinstance(d, tuple)] == ["add_table"]


def test_downgrade_to_base(empty_engine: Engine) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        command.downgrade(alembic_config(conn), "base")
        conn.commit()
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}


def test_upgrade_by_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'x.sqlite3'}"
    upgrade(url)
    assert current_revision(url) == head_revision()


def test_migration_files_are_package_data() -> None:
    """The files alembic needs sit inside the ``storage`` package and match the globs in
    pyproject's package-data (``migrations/*``, ``migrations/**/*``)."""
    import storage

    package_dir = Path(storage.__file__).parent
    assert MIGRATIONS_DIR.is_relative_to(package_dir)
    for rel in ("env.py", "script.py.mako", "versions/0001_initial.py"):
        assert (MIGRATIONS_DIR / rel).is_file(), rel
