"""Broadcast drafts: an admin's preview awaiting Confirm, shared by every instance.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Written by hand; types spelled out so this file never changes when ``storage.models`` does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "broadcast_drafts",
        sa.Column("admin_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("admin_chat_id", name=op.f("pk_broadcast_drafts")),
    )


def downgrade() -> None:
    op.drop_table("broadcast_drafts")
