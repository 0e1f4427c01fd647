"""Events: ``live`` (a threat happening now, not a report) and ``heading`` (regions it moves to).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Written by hand; types spelled out so this file never changes when ``storage.models`` does.
Existing rows become reports (``live`` false) with no heading.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONDOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("live", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(
            sa.Column("heading", JSONDOC, nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("heading")
        batch.drop_column("live")
