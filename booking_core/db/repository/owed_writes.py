"""The owed provider write of a calendar event: record, clear, find and claim it.

`calendar_events.owed_operation` names the write a row still owes its provider (create, update
or delete) and `owed_attempts` the calls made for it so far; `booking_core.calendar_writes`
decides, these functions only store. The worker finds owed rows through the partial index
`ix_calendar_events_owed` and claims one with a compare-and-set on `updated_at`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from booking_core.db.models import OWED_OPERATIONS, CalendarEvent
from booking_core.db.types import utcnow


def get_event_for_write(session: Session, *, event_id: int) -> CalendarEvent | None:
    """The event with this id in any tenant (the worker serves them all), or None."""
    return session.get(CalendarEvent, event_id)


def owe_calendar_write(
    session: Session,
    *,
    event: CalendarEvent,
    operation: str,
    attempts: int,
    error: str | None,
    now: datetime | None = None,
) -> CalendarEvent:
    """Record that `event` still owes `operation` after `attempts` calls (last error `error`).

    An owed create or update keeps the row `pending` (it occupies its slot, "being
    completed"); an owed delete leaves it as it is (cancelled).
    """
    if operation not in OWED_OPERATIONS:
        raise ValueError(f"unknown calendar write {operation!r}; expected one of {OWED_OPERATIONS}")
    if attempts < 0:
        raise ValueError("attempts must not be negative")
    event.owed_operation, event.owed_attempts = operation, attempts
    if operation != "delete":
        event.status = "pending"
    event.error = error[:2000] if error else None
    event.updated_at = now or utcnow()
    session.flush()
    return event


def clear_owed_write(
    session: Session, *, event: CalendarEvent, error: str | None = None, now: datetime | None = None
) -> CalendarEvent:
    """Record that `event` owes its provider nothing (any more); `error` says why, if it was
    given up."""
    event.owed_operation, event.owed_attempts = None, 0
    event.error = error[:2000] if error else None
    event.updated_at = now or utcnow()
    session.flush()
    return event


def list_owed_write_ids(session: Session, *, limit: int) -> list[int]:
    """Ids of rows owing a write (or still pending), least recently touched first."""
    table = CalendarEvent.__table__
    query = (
        select(CalendarEvent.id)
        .where(or_(table.c.owed_operation.isnot(None), table.c.status == "pending"))
        .order_by(CalendarEvent.updated_at, CalendarEvent.id)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def claim_owed_write(session: Session, *, event: CalendarEvent, now: datetime) -> bool:
    """Stamp `event` as being worked on at `now` unless someone touched it since it was read
    (compare-and-set on `updated_at` and `status`): True for the one caller that wins.

    The loaded object keeps its old stamp on purpose: setting `now` on it later is a change.
    """
    claimed = session.execute(
        update(CalendarEvent)
        .where(
            CalendarEvent.id == event.id,
            CalendarEvent.updated_at == event.updated_at,
            CalendarEvent.__table__.c.status == event.status,
        )
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount == 1)
