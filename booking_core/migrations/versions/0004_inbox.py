"""messages: "queued"/"sending" statuses for the outbox; inbox index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

Replies are now queued in the transaction that completes the inbound message and sent by a
sender (connectors.inbox), which marks each "sending" before the request; a sender that dies
mid-send leaves a visible "sending" row. The index serves both looks for work.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD = "status IN ('received', 'processed', 'sent', 'delivered', 'read', 'failed')"
NEW = (
    "status IN ('received', 'processed', 'queued', 'sending', 'sent', 'delivered', 'read', "
    "'failed')"
)


def _replace_status_check(sql: str) -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint(op.f("ck_messages_status"), type_="check")
        batch.create_check_constraint(op.f("ck_messages_status"), sql)


def upgrade() -> None:
    _replace_status_check(NEW)
    op.create_index("ix_messages_inbox", "messages", ["direction", "status", "channel"])


def downgrade() -> None:
    op.drop_index("ix_messages_inbox", table_name="messages")
    op.execute("UPDATE messages SET status = 'failed' WHERE status IN ('queued', 'sending')")
    _replace_status_check(OLD)
