"""services, booking rules, the business's address and contact, the service on each booking

Revision ID: 0011_services_and_rules
Revises: 0010_claimed_by
Create Date: 2026-12-06

A tenant now says what it sells (`services`: duration, price, buffers, own hours and rules),
its booking rules (`tenants.booking_rules`: minimum notice, how far ahead, buffers, daily cap,
change cut-off; empty for every existing tenant, i.e. no rules, as before) and where it is and
how to reach it (`address`, `map_url`, `phone`, `email`). A booking keeps the service it was
for, with the price and buffers of that moment (`calendar_events.service_id`, `price_cents`,
`currency`, `buffer_*_minutes`), so a later price change does not rewrite history and the
buffers a booking was made with keep counting around it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from booking_core.db.types import UTCDateTime

revision = "0011_services_and_rules"
down_revision = "0010_claimed_by"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", sa.String(100), nullable=False),
        sa.Column("synonyms", sa.JSON(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("duration_flexible", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("price_cents", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=True),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=True),
        sa.Column("business_hours", sa.JSON(), nullable=True),
        sa.Column("booking_rules", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("position", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_services_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_services"),
        sa.UniqueConstraint("tenant_id", "name_key", name="uq_services_tenant_id_name_key"),
        sa.CheckConstraint("duration_minutes > 0", name="ck_services_duration_positive"),
        sa.CheckConstraint(
            "price_cents IS NULL OR price_cents >= 0", name="ck_services_price_not_negative"
        ),
    )
    op.create_index("ix_services_tenant_id", "services", ["tenant_id"])
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(
            sa.Column("booking_rules", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch.add_column(sa.Column("address", sa.String(300), nullable=True))
        batch.add_column(sa.Column("map_url", sa.String(500), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(40), nullable=True))
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
    with op.batch_alter_table("calendar_events") as batch:
        batch.add_column(sa.Column("service_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("price_cents", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("currency", sa.String(3), nullable=True))
        batch.add_column(sa.Column(
            "buffer_before_minutes", sa.Integer(), nullable=False, server_default=sa.text("0")
        ))
        batch.add_column(sa.Column(
            "buffer_after_minutes", sa.Integer(), nullable=False, server_default=sa.text("0")
        ))
        batch.create_foreign_key(
            "fk_calendar_events_service_id_services", "services", ["service_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("calendar_events") as batch:
        batch.drop_constraint("fk_calendar_events_service_id_services", type_="foreignkey")
        for column in ("buffer_after_minutes", "buffer_before_minutes", "currency",
                       "price_cents", "service_id"):  # fmt: skip
            batch.drop_column(column)
    with op.batch_alter_table("tenants") as batch:
        for column in ("email", "phone", "map_url", "address", "booking_rules"):
            batch.drop_column(column)
    op.drop_index("ix_services_tenant_id", table_name="services")
    op.drop_table("services")
