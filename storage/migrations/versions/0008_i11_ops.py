"""Operations: durable broadcasts (their completion report survives a restart) and an index
for pruning old posts.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Written by hand; types spelled out so this file never changes when ``storage.models`` does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def TS() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_index(op.f("ix_posts_published_at"), "posts", ["published_at"])
    op.create_table(
        "broadcasts",
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("admin_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created_at", TS(), nullable=False),
        sa.Column("claimed_at", TS(), nullable=True),
        sa.Column("reported_at", TS(), nullable=True),
        sa.Column("sent", sa.Integer(), nullable=True),
        sa.Column("failed", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_broadcasts_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("event_id", name=op.f("uq_broadcasts_event_id")),
    )
    op.create_index(op.f("ix_broadcasts_reported_at"), "broadcasts", ["reported_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_broadcasts_reported_at"), table_name="broadcasts")
    op.drop_table("broadcasts")
    op.drop_index(op.f("ix_posts_published_at"), table_name="posts")
