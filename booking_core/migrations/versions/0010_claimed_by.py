"""messages.claimed_by: who holds a work-queue claim

Revision ID: 0010_claimed_by
Revises: 0009_claimed_at
Create Date: 2026-12-09

A claim was only a time (`claimed_at`), so a claim of a process that died was free again only
after the lease (120 s): a supervised process restarted within seconds waited two minutes for
the messages its previous run held. Claims now also record the claimer ("<stable id>/<per-start
token>", booking_core.messaging.claimer): a restarted process with the same id (and a newer
token) takes its earlier run's claims at once, and a process stopping gracefully marks its
unfinished claims "released" for any process to take. Existing claims get no claimer and keep
waiting for their lease (they may belong to a process still running the old code).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_claimed_by"
down_revision = "0009_claimed_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("claimed_by")
