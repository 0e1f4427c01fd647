"""Alerting: happenings, live messages, and the outbox's link to its live message.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-26

Written by hand; types spelled out so this file never changes when ``storage.models`` does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONDOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def TS() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "happenings",
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("region", sa.String(8), nullable=False),
        sa.Column("started_at", TS(), nullable=False),
        sa.Column("ended_at", TS(), nullable=True),
        sa.Column("counts", JSONDOC, nullable=False),
        sa.Column("places", JSONDOC, nullable=False),
        sa.Column("sources", JSONDOC, nullable=False),
        sa.Column("created_at", TS(), nullable=False),
        sa.Column("updated_at", TS(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_happenings")),
    )
    op.create_index(
        op.f("ix_happenings_region_kind_started"),
        "happenings",
        ["region", "kind", "started_at"],
    )
    op.create_table(
        "live_messages",
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("happening_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("sent_text", sa.Text(), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", TS(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_messages")),
        sa.ForeignKeyConstraint(
            ["happening_id"],
            ["happenings.id"],
            name=op.f("fk_live_messages_happening_id_happenings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_live_messages_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "happening_id",
            "chat_id",
            "slot",
            name=op.f("uq_live_messages_happening_id_chat_id_slot"),
        ),
    )
    op.create_index(op.f("ix_live_messages_chat_id"), "live_messages", ["chat_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("live_id", sa.BigInteger(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_outbox_live_id_live_messages"),
            "live_messages",
            ["live_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_outbox_live_id"), ["live_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(op.f("ix_outbox_live_id"))
        batch.drop_constraint(op.f("fk_outbox_live_id_live_messages"), type_="foreignkey")
        batch.drop_column("live_id")
    op.drop_table("live_messages")
    op.drop_table("happenings")
