"""initial schema: tenants, contacts, messages, calendar_events

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Plain `op.create_table`/`op.create_index` run unchanged on SQLite and PostgreSQL. Datetimes are
`DateTime(timezone=True)` (timestamptz on PostgreSQL); the models' UTCDateTime decorator stores UTC
on top of it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("calendar_provider", sa.String(length=32), nullable=False),
        sa.Column("calendar_settings", sa.JSON(), nullable=False),
        sa.Column("business_hours", sa.JSON(), nullable=False),
        sa.Column("default_event_minutes", sa.Integer(), nullable=False),
        sa.Column("feed_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("feed_token", name=op.f("uq_tenants_feed_token")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("platform_user_id", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("last_inbound_at", TZ_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_contacts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint(
            "tenant_id",
            "channel",
            "platform_user_id",
            name=op.f("uq_contacts_tenant_id_channel_platform_user_id"),
        ),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("platform_message_id", sa.String(length=255), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("intent", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("sent_at", TZ_DATETIME, nullable=True),
        sa.Column("processed_at", TZ_DATETIME, nullable=True),
        sa.CheckConstraint("direction IN ('in', 'out')", name=op.f("ck_messages_direction")),
        sa.CheckConstraint(
            "status IN ('received', 'processed', 'sent', 'delivered', 'read', 'failed')",
            name=op.f("ck_messages_status"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_messages_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_messages_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "tenant_id",
            "channel",
            "platform_message_id",
            name=op.f("uq_messages_tenant_id_channel_platform_message_id"),
        ),
    )
    op.create_index(op.f("ix_messages_contact_id"), "messages", ["contact_id"])
    op.create_index(
        "ix_messages_tenant_contact_created", "messages", ["tenant_id", "contact_id", "created_at"]
    )
    op.create_table(
        "calendar_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("start", TZ_DATETIME, nullable=False),
        sa.Column("end", TZ_DATETIME, nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_event_id", sa.String(length=1024), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("requested_message_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("updated_at", TZ_DATETIME, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'cancelled', 'failed')",
            name=op.f("ck_calendar_events_status"),
        ),
        sa.CheckConstraint('"end" > start', name=op.f("ck_calendar_events_end_after_start")),
        sa.ForeignKeyConstraint(
            ["confirmed_message_id"],
            ["messages.id"],
            name=op.f("fk_calendar_events_confirmed_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_calendar_events_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_message_id"],
            ["messages.id"],
            name=op.f("fk_calendar_events_requested_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_calendar_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_events")),
        sa.UniqueConstraint(
            "tenant_id",
            "idempotency_key",
            name=op.f("uq_calendar_events_tenant_id_idempotency_key"),
        ),
        sa.UniqueConstraint("uid", name=op.f("uq_calendar_events_uid")),
    )
    op.create_index(op.f("ix_calendar_events_contact_id"), "calendar_events", ["contact_id"])
    op.create_index("ix_calendar_events_tenant_start", "calendar_events", ["tenant_id", "start"])


def downgrade() -> None:
    op.drop_index("ix_calendar_events_tenant_start", table_name="calendar_events")
    op.drop_index(op.f("ix_calendar_events_contact_id"), table_name="calendar_events")
    op.drop_table("calendar_events")
    op.drop_index("ix_messages_tenant_contact_created", table_name="messages")
    op.drop_index(op.f("ix_messages_contact_id"), table_name="messages")
    op.drop_table("messages")
    op.drop_table("contacts")
    op.drop_table("tenants")
