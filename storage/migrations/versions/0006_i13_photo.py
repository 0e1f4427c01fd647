"""Pictures in the outbox: the night's map stored once (``media``), referenced by outbox rows;
live messages remember whether they are a photo's caption; chats choose a map in the digest.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Written by hand; types spelled out so this file never changes when ``storage.models`` does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("file_id", sa.String(256), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_media"),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("media_key", sa.String(64), nullable=True))
    with op.batch_alter_table("live_messages") as batch:
        batch.add_column(
            sa.Column("captioned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("chats") as batch:
        batch.add_column(
            sa.Column("digest_map", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("digest_map")
    with op.batch_alter_table("live_messages") as batch:
        batch.drop_column("captioned")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("media_key")
    op.drop_table("media")
