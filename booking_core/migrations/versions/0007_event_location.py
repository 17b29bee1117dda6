"""calendar_events.location: where a booking takes place

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

A booking may name a place ("coffee with the landlord at 2250 Oak Street", "meeting at the
office"). It is free text of at most 200 characters, NULL when none was given (every existing
row), written to the calendar with the event (Google's `location`, iCalendar's LOCATION).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("calendar_events", sa.Column("location", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # Batch: SQLite before 3.35 has no DROP COLUMN (the table is copied there instead).
    with op.batch_alter_table("calendar_events") as batch:
        batch.drop_column("location")
