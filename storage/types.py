"""Column types shared by the models and the migrations.

Everything time-related is stored in UTC: ``timestamptz`` on PostgreSQL, a naive UTC ISO string
on SQLite (which sorts and compares correctly because every value has the same format).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

# Surrogate primary keys: BIGINT on PostgreSQL, but SQLite only auto-increments a column
# declared exactly ``INTEGER PRIMARY KEY`` (its 64-bit rowid), so use INTEGER there.
BigIntPK: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")

# JSON documents: JSONB on PostgreSQL (has equality, compact), JSON text elsewhere.
JSONDoc: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Aware UTC version of ``value``; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back as an aware UTC ``datetime``.

    Naive input is assumed to be UTC; aware input is converted to UTC before storing.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return as_utc(value)
