"""Incidents: a happening holds every kind of a post, its regions, heading and what changed;
chats may keep quiet hours silent even for threats.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

Written by hand; types spelled out so this file never changes when ``storage.models`` does.
Existing happenings become reports of their own kind (``kinds`` empty means ``[kind]``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONDOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("happenings") as batch:
        batch.add_column(sa.Column("area", sa.String(96), nullable=False, server_default=""))
        batch.add_column(sa.Column("level", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("live", sa.Boolean(), nullable=False, server_default=sa.false()))
        for name in ("regions", "kinds", "heading", "changes"):
            batch.add_column(
                sa.Column(name, JSONDOC, nullable=False, server_default=sa.text("'[]'"))
            )
        batch.add_column(sa.Column("last_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_happenings_kind_started", "happenings", ["kind", "started_at"])
    with op.batch_alter_table("chats") as batch:
        for name in ("quiet_all", "other_areas"):
            batch.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
            )
    op.create_table(
        "subscription_places",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("region", sa.String(8), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("name_uk", sa.String(96), nullable=False),
        sa.Column("name_en", sa.String(96), nullable=False),
        sa.Column("raion", sa.String(96), nullable=False),
        sa.Column("hromada", sa.String(96), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name="fk_subscription_places_chat_id_chats",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "key", name="pk_subscription_places"),
    )
    op.create_index("ix_subscription_places_region", "subscription_places", ["region"])


def downgrade() -> None:
    op.drop_index("ix_subscription_places_region", table_name="subscription_places")
    op.drop_table("subscription_places")
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("other_areas")
        batch.drop_column("quiet_all")
    op.drop_index("ix_happenings_kind_started", table_name="happenings")
    with op.batch_alter_table("happenings") as batch:
        for name in ("last_at", "changes", "heading", "kinds", "regions", "live", "level", "area"):
            batch.drop_column(name)
