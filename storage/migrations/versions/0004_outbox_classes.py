"""Outbox message classes (priority) and the ``expired`` status; posts' ``media`` marker.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Threats are claimed before reports and reports before digests, so the claim index leads with
``status, priority``. A row whose class's time to live ran out is ``expired``, never ``dead``.
A media-only post (photo, video, poll, album) keeps what it carries in ``posts.media``.
Written by hand; types spelled out so this file never changes when ``storage.models`` does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('pending', 'sending', 'sent', 'failed', 'dead')"
NEW = "status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'expired')"


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("media", sa.String(16), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="1")
        )
        batch.drop_constraint(op.f("ck_outbox_status_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_status_valid"), NEW)
        batch.drop_index(op.f("ix_outbox_status_next_attempt"))
        batch.create_index(
            op.f("ix_outbox_status_priority_next_attempt"),
            ["status", "priority", "next_attempt_at"],
        )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("priority", server_default=None)


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'dead' WHERE status = 'expired'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(op.f("ix_outbox_status_priority_next_attempt"))
        batch.create_index(op.f("ix_outbox_status_next_attempt"), ["status", "next_attempt_at"])
        batch.drop_constraint(op.f("ck_outbox_status_valid"), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_status_valid"), OLD)
        batch.drop_column("priority")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("media")
