"""Opening the store with every failure turned into one line naming the setting.

A new operator's typical mistakes — a database that is not running or does not exist, a data
directory the bot may not write, a read-only SQLite file, a channels file that is missing or
not JSON, a retention shorter than ``/history`` reads — end in :class:`~bot.config.ConfigError`
(one line, exit code 2), never a traceback.
Messages name the place (host, port, path) but never a password.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.config import ConfigError, Settings
from bot.maps.history import DAYS as HISTORY_DAYS
from bot.registry import ChannelSpec, default_channels
from storage.db import make_engine, normalize_url
from storage.migrate import upgrade


def _fail(setting: str, problem: str) -> ConfigError:
    return ConfigError(f"configuration error: {setting}: {problem}")


def _sqlite_path(settings: Settings) -> Path | None:
    url = normalize_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def check_sqlite_file(path: Path) -> None:
    """The directory can be created and written, the file (if any) written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(
            "DATABASE_URL", f"cannot create directory {path.parent}: {exc.strerror}"
        ) from None
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise _fail("DATABASE_URL", f"SQLite file {path} is read-only") from None
    elif not os.access(path.parent, os.W_OK | os.X_OK):
        raise _fail("DATABASE_URL", f"directory {path.parent} is not writable") from None


def _reason(exc: DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    reason = lines[0] if lines else type(exc).__name__
    for marker in ("failed: ", "error: "):  # psycopg: 'connection ... failed: <why>'
        if marker in reason:
            reason = reason.rsplit(marker, 1)[1]
    return reason[:200]


def open_engine(settings: Settings) -> Engine:
    """A migrated engine, or :class:`ConfigError` saying what is wrong with the database."""
    path = _sqlite_path(settings)
    if path is not None:
        check_sqlite_file(path)
    url = normalize_url(settings.database_url)
    where = (
        f"SQLite file {path}"
        if path is not None
        else f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}, "
        f"database {url.database or '(none)'}"
    )
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = _reason(exc)
        if "readonly" in reason.replace("-", "").lower():
            reason = "read-only"
        raise _fail("DATABASE_URL", f"cannot use {where}: {reason}") from None
    except DBAPIError as exc:
        engine.dispose()
        raise _fail("DATABASE_URL", f"cannot use {where}: {_reason(exc)}") from None
    return engine


# /history shows 7 days and reads one more, so an alert that began before the week is known.
MIN_RETENTION_DAYS = HISTORY_DAYS + 1


def check_retention(settings: Settings) -> None:
    """Pruning must leave the alert history ``/history`` draws."""
    if settings.retention_days < MIN_RETENTION_DAYS:
        raise _fail(
            "SITREP_RETENTION_DAYS",
            f"{settings.retention_days} days is too short: /history needs {MIN_RETENTION_DAYS}",
        )


def load_channels(settings: Settings) -> list[ChannelSpec]:
    """The registry, or :class:`ConfigError` naming ``SITREP_CHANNELS_FILE``."""
    try:
        return default_channels(settings.channels_file)
    except OSError as exc:
        raise _fail("SITREP_CHANNELS_FILE", f"cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise _fail("SITREP_CHANNELS_FILE", f"not JSON (line {exc.lineno}): {exc.msg}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(
            "SITREP_CHANNELS_FILE", f"not a channel registry ({type(exc).__name__}: {exc})"
        ) from None
