"""calendar_events.owed_operation / owed_attempts: the owed provider write in its own columns

Revision ID: 0008_owed_writes
Revises: 0007
Create Date: 2026-12-06

A booking whose provider write could not be made yet (an outage, refused credentials, a crash
between the commit and the call) kept that state as text at the start of `error`:
"[create attempt 3] ProviderError: 503 ...", read back by a regex, SQL LIKE and startswith.
It now has columns: `owed_operation` (create, update, delete or NULL) and `owed_attempts`
(provider calls made so far), and `error` keeps only the message.

Data: every marker is moved into the columns and cut from `error` (the placeholders
"update in progress" / "delete in progress" leave NULL). What the worker used to infer is made
explicit the same way: a `pending` row without a marker owes a create (no provider id yet) or
an update; an owed update of a row the provider never held is a create; a `cancelled` row owes
only a delete. Other markers (a cancelled row's create, a failed row's) owed nothing and are
only cut. Downgrade writes the markers back from the columns, then drops them.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0008_owed_writes"
down_revision = "0007"
branch_labels = None
depends_on = None

OWED_WRITES = "owed_operation IS NOT NULL OR status = 'pending'"
_MARKER = re.compile(r"^\[(create|update|delete) attempt (\d+)\] ?(.*)$", re.DOTALL)
_PLACEHOLDERS = frozenset({"update in progress", "delete in progress"})

events = sa.table(
    "calendar_events",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("provider_event_id", sa.String),
    sa.column("error", sa.Text),
    sa.column("owed_operation", sa.String),
    sa.column("owed_attempts", sa.Integer),
)


def owed_from_marker(
    status: str, provider_event_id: str | None, error: str | None
) -> tuple[str | None, int, str | None]:
    """(owed operation, attempts, error without its marker) of a row as 0007 stored it."""
    match = _MARKER.match(error or "")
    kind, attempts, message = (
        (match.group(1), int(match.group(2)), match.group(3)) if match else (None, 0, error)
    )
    if match and message in _PLACEHOLDERS:
        message = None
    if status == "cancelled":
        return ("delete", attempts, message) if kind == "delete" else (None, 0, message)
    if status != "pending":
        return None, 0, message
    if kind is None or kind == "delete" or (kind == "update" and provider_event_id is None):
        kind = "create" if provider_event_id is None else "update"
    return kind, attempts, message


def upgrade() -> None:
    with op.batch_alter_table("calendar_events") as batch:
        batch.add_column(sa.Column("owed_operation", sa.String(length=8), nullable=True))
        batch.add_column(
            sa.Column("owed_attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.create_check_constraint(
            op.f("ck_calendar_events_owed_operation"),
            "owed_operation IN ('create', 'update', 'delete')",
        )
        batch.create_check_constraint(
            op.f("ck_calendar_events_owed_attempts"), "owed_attempts >= 0"
        )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events.c.id, events.c.status, events.c.provider_event_id, events.c.error).where(
            sa.or_(events.c.status == "pending", events.c.error.like("[%"))
        )
    ).all()
    for row in rows:
        operation, attempts, message = owed_from_marker(
            row.status, row.provider_event_id, row.error
        )
        connection.execute(
            events.update()
            .where(events.c.id == row.id)
            .values(owed_operation=operation, owed_attempts=attempts, error=message)
        )
    where = {"postgresql_where": sa.text(OWED_WRITES), "sqlite_where": sa.text(OWED_WRITES)}
    op.create_index("ix_calendar_events_owed", "calendar_events", ["updated_at", "id"], **where)


def downgrade() -> None:
    op.drop_index("ix_calendar_events_owed", table_name="calendar_events")
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            events.c.id, events.c.owed_operation, events.c.owed_attempts, events.c.error
        ).where(events.c.owed_operation.isnot(None))
    ).all()
    for row in rows:
        message = row.error or f"{row.owed_operation} in progress"
        marker = f"[{row.owed_operation} attempt {row.owed_attempts}] {message}"[:2000]
        connection.execute(events.update().where(events.c.id == row.id).values(error=marker))
    with op.batch_alter_table("calendar_events") as batch:
        batch.drop_constraint(op.f("ck_calendar_events_owed_attempts"), type_="check")
        batch.drop_constraint(op.f("ck_calendar_events_owed_operation"), type_="check")
        batch.drop_column("owed_attempts")
        batch.drop_column("owed_operation")
