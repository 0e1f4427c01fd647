"""Figures that are no counts: the train numbers of a delay (events and incidents), and a
channel's username as the registry spells it ("chernigivskaODA"), for display.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Written by hand; types spelled out so this file never changes when ``storage.models`` does.
Existing rows get no train numbers and an empty spelling (shown as the lowercased username
until the registry is seeded again, which fills it in).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONDOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    for table in ("events", "happenings"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("train_numbers", JSONDOC, nullable=False, server_default=sa.text("'[]'"))
            )
    with op.batch_alter_table("channels") as batch:
        batch.add_column(
            sa.Column("display_name", sa.String(64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("display_name")
    for table in ("happenings", "events"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("train_numbers")
