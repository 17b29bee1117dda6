"""channel_accounts: per-tenant WhatsApp numbers, Instagram accounts and Telegram bots

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Secrets are Fernet tokens (booking_core.crypto); `lookup_hash` is the SHA-256 of a Telegram
webhook secret, the only thing a Telegram update can be routed by.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "channel_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("lookup_hash", sa.String(length=64), nullable=True),
        sa.Column("access_token_enc", sa.Text(), nullable=True),
        sa.Column("app_secret_enc", sa.Text(), nullable=True),
        sa.Column("verify_token_enc", sa.Text(), nullable=True),
        sa.Column("bot_token_enc", sa.Text(), nullable=True),
        sa.Column("webhook_secret_enc", sa.Text(), nullable=True),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("updated_at", TZ_DATETIME, nullable=False),
        sa.CheckConstraint(
            "channel IN ('whatsapp', 'telegram', 'instagram')",
            name=op.f("ck_channel_accounts_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_channel_accounts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_accounts")),
        sa.UniqueConstraint(
            "channel", "account_id", name=op.f("uq_channel_accounts_channel_account_id")
        ),
        sa.UniqueConstraint(
            "channel", "lookup_hash", name=op.f("uq_channel_accounts_channel_lookup_hash")
        ),
    )
    op.create_index(op.f("ix_channel_accounts_tenant_id"), "channel_accounts", ["tenant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_channel_accounts_tenant_id"), table_name="channel_accounts")
    op.drop_table("channel_accounts")
