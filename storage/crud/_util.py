"""Helpers shared by the query modules."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import ERROR_LEN
from storage.types import as_utc, utcnow

_REGION_RE = re.compile(r"^UA(-[0-9]{2})?$")


def check_region(region: str) -> str:
    """``region`` if it looks like an ISO 3166-2:UA code ("UA-74") or "UA"; else ValueError."""
    if not _REGION_RE.match(region):
        raise ValueError(f"not an ISO 3166-2:UA region code: {region!r}")
    return region


def dialect_name(session: Session) -> str:
    """``"sqlite"`` or ``"postgresql"`` for the session's bind."""
    return session.get_bind().dialect.name


def insert_for(session: Session, table: Any) -> Any:
    """A dialect-specific INSERT (both support ``on_conflict_do_nothing``)."""
    if dialect_name(session) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def now_or(now: datetime | None) -> datetime:
    """``now`` as aware UTC, or the current time."""
    return utcnow() if now is None else as_utc(now)


def short_error(error: str | BaseException | None) -> str | None:
    """An error message cut to fit the ``last_error`` columns."""
    if error is None:
        return None
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return text if len(text) <= ERROR_LEN else text[: ERROR_LEN - 1] + "…"
