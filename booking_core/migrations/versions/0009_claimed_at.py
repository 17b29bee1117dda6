"""messages.claimed_at: the work queues' claim stamp gets its own column

Revision ID: 0009_claimed_at
Revises: 0008_owed_writes
Create Date: 2026-12-08

The inbox and the outbox (booking_core.messaging) stamped `processed_at` when they claimed a
row, so the column meant "claimed at" while a message waited and "handled at" once it was done,
and a reader could not tell which. Claims now stamp `claimed_at`; `processed_at` is only the
time an inbound message was handled.

Data: a stamp that was a claim moves to `claimed_at` (inbound rows still "received", and every
outbound row: outbound rows are never "processed", their stamp was always the sender's claim),
so rows claimed at upgrade time keep their claim and its lease. Downgrade moves them back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_claimed_at"
down_revision = "0008_owed_writes"
branch_labels = None
depends_on = None

#: The rows whose stamp is a claim, not a completion.
CLAIM_STAMPED = "(direction = 'in' AND status = 'received') OR direction = 'out'"


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE messages SET claimed_at = processed_at, processed_at = NULL "
        f"WHERE processed_at IS NOT NULL AND ({CLAIM_STAMPED})"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE messages SET processed_at = claimed_at "
        f"WHERE claimed_at IS NOT NULL AND ({CLAIM_STAMPED})"
    )
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("claimed_at")
