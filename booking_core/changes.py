"""Changing a contact's own booking: reschedule (a provider update) and cancel (a provider
delete), each written through `calendar_writes.attempt_write`.

Scoped to a tenant AND a contact: another contact's event id behaves exactly like a missing one
(EventNotFoundError). The row is changed and committed first, owing its provider write
(`owed_operation`), so a crash or an outage leaves a row `booking_core.worker` finishes; the
database transaction is closed during the provider call. Synchronous; the action server runs
these in a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.booking import request_key
from booking_core.booking_rules import change_refusal
from booking_core.calendar_writes import (
    DEFERRED,
    DONE,
    FAILED,
    GONE,
    NEEDS_REAUTH,
    attempt_write,
    confirm_written,
    keep_owed,
    provider_for_event,
)
from booking_core.db.models import ACTIVE_EVENT_STATUSES, CalendarEvent, Contact, Tenant
from booking_core.db.repository import (
    cancel_calendar_event,
    clear_owed_write,
    idempotency_key_taken,
    owe_calendar_write,
)
from booking_core.db.session import session_scope
from booking_core.db.types import require_aware, utcnow
from booking_core.errors import ChangeCutoffError, EventNotChangeableError
from booking_core.lookup import EventSummary, own_event, summary
from booking_core.retry_policy import DEFAULT_RETRY, RetryPolicy
from booking_core.tenancy import business_contact, contact_scope, terms_of


@dataclass(frozen=True)
class ChangeResult:
    """Outcome of a reschedule or cancel: done, deferred, needs_reauth, failed or gone."""

    outcome: str
    event: EventSummary
    previous_start: datetime | None = None
    previous_end: datetime | None = None
    error: str | None = None

    @property
    def saved(self) -> bool:
        """True when the change stands (now, or once the provider is reachable again)."""
        return self.outcome in (DONE, DEFERRED, NEEDS_REAUTH)


@dataclass(frozen=True)
class _Before:
    """A row's state before a change, to put back when the provider refuses it."""

    start: datetime
    end: datetime
    status: str
    idempotency_key: str | None
    owed_operation: str | None
    owed_attempts: int

    @classmethod
    def of(cls, event: CalendarEvent) -> _Before:
        return cls(
            event.start,
            event.end,
            event.status,
            event.idempotency_key,
            event.owed_operation,
            event.owed_attempts,
        )

    def restore_owed(self, session: Session, event: CalendarEvent, error: str) -> None:
        """Put back what the row owed before (with `error` saying why the change failed)."""
        if self.owed_operation is None:
            clear_owed_write(session, event=event, error=error)
        else:
            owe_calendar_write(
                session,
                event=event,
                operation=self.owed_operation,
                attempts=self.owed_attempts,
                error=error,
            )


def _free_key(
    session: Session, tenant: Tenant, contact: Contact, event: CalendarEvent
) -> str | None:
    """The booking-request key of the event's new times, unless another row already holds it."""
    key = request_key(
        tenant_id=tenant.id,
        channel=contact.channel,
        platform_user_id=contact.platform_user_id,
        title=event.title,
        start=event.start,
        end=event.end,
    )
    taken = idempotency_key_taken(
        session, tenant_id=tenant.id, idempotency_key=key, other_than=event.id
    )
    return None if taken else key


def _refuse_late(session: Session, tenant: Tenant, event: CalendarEvent, now: datetime) -> None:
    """ChangeCutoffError when the business's cut-off (its service's, else the tenant's) has
    passed for this booking."""
    rules = terms_of(session, tenant, event.service_id).rules
    refusal = change_refusal(event_start=event.start, now=now, rules=rules)
    if refusal is not None:
        raise ChangeCutoffError(refusal.reason, business_contact(tenant))


def check_change_allowed(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    event_id: int,
    now: datetime | None = None,
) -> None:
    """Raise ChangeCutoffError (or EventNotFoundError) before a change is even proposed, so
    the customer hears the rule and the business's contact instead of a question."""
    now = require_aware(now or utcnow(), "now")
    with session_scope() as session:
        tenant, contact = contact_scope(session, tenant_slug, channel, platform_user_id)
        event = own_event(session, tenant, contact, event_id)
        if event.status in ACTIVE_EVENT_STATUSES:
            _refuse_late(session, tenant, event, now)


def reschedule_event(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    event_id: int,
    new_start: datetime,
    new_end: datetime,
    now: datetime | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> ChangeResult:
    """Move one of the contact's events: provider update (patch) and row update.

    The row is committed with the new times, `pending` and owing the update first; on success it
    is `confirmed` again (outcome done). On an outage it stays owed for the worker (deferred),
    on refused credentials the tenant is flagged (needs_reauth); a permanent refusal restores
    the old times (failed), and an event deleted in the calendar is marked cancelled (gone).
    Raises EventNotFoundError, EventNotChangeableError (cancelled/failed event, past or empty
    slot) and ChangeCutoffError (the business's cut-off has passed). Availability is the
    caller's job (`check_availability(exclude_event_id=...)`).
    """
    new_start = require_aware(new_start, "new_start")
    new_end = require_aware(new_end, "new_end")
    now = require_aware(now or utcnow(), "now")
    if new_end <= new_start:
        raise EventNotChangeableError("the new end must be after the new start")
    if new_start < now:
        raise EventNotChangeableError("the new time is in the past")
    with session_scope() as session:
        tenant, contact = contact_scope(session, tenant_slug, channel, platform_user_id)
        event = own_event(session, tenant, contact, event_id)
        assert contact is not None  # own_event raised otherwise
        if event.status not in ACTIVE_EVENT_STATUSES:
            raise EventNotChangeableError(f"the event is {event.status}")
        before = _Before.of(event)
        if (event.start, event.end) == (new_start, new_end):
            return ChangeResult(DONE, summary(event), event.start, event.end)
        _refuse_late(session, tenant, event, now)
        event.start, event.end = new_start, new_end
        event.idempotency_key = _free_key(session, tenant, contact, event)
        event.updated_at = utcnow()
        external = event.provider != "builtin"
        written_before = event.provider_event_id is not None or event.status == "confirmed"
        if not external or not written_before:
            # Built-in: the row is the event. Never written: the owed create uses the row.
            session.flush()
            outcome = DONE if not external else DEFERRED
            return ChangeResult(outcome, summary(event), before.start, before.end)
        try:
            owe_calendar_write(session, event=event, operation="update", attempts=0, error=None)
            session.commit()
        except IntegrityError as exc:  # a concurrent booking took the key meanwhile
            session.rollback()
            raise EventNotChangeableError("the event changed meanwhile; try again") from exc

        provider = provider_for_event(tenant, event)
        result = attempt_write(provider, tenant, event, "update", policy=retry, sleep=sleep)
        if result.outcome == DONE:
            confirm_written(session, event, result)
            return ChangeResult(DONE, summary(event), before.start, before.end)
        if result.owed:
            keep_owed(session, tenant, event, result)
            return ChangeResult(
                result.outcome, summary(event), before.start, before.end, result.error
            )
        if result.outcome == GONE:
            cancel_calendar_event(session, tenant_id=tenant.id, event_id=event.id)
            event.start, event.end = before.start, before.end
            clear_owed_write(session, event=event, error=f"deleted in the calendar: {result.error}")
            return ChangeResult(GONE, summary(event), before.start, before.end, result.error)
        event.start, event.end, event.status = before.start, before.end, before.status
        event.idempotency_key = before.idempotency_key
        before.restore_owed(session, event, f"reschedule refused: {result.error}")
        return ChangeResult(FAILED, summary(event), before.start, before.end, result.error)


def cancel_event(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    event_id: int,
    now: datetime | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> ChangeResult:
    """Cancel one of the contact's events: row `cancelled` and provider delete.

    The row is cancelled (its slot freed) first, owing the provider delete; an outage leaves
    it owed for the worker (deferred), refused credentials flag the tenant (needs_reauth), a
    permanent refusal restores the event (failed). Cancelling a cancelled event is a no-op
    (done, or deferred while its delete is still owed). Raises EventNotFoundError, and
    ChangeCutoffError when the business's cut-off has passed.
    """
    now = require_aware(now or utcnow(), "now")
    with session_scope() as session:
        tenant, contact = contact_scope(session, tenant_slug, channel, platform_user_id)
        event = own_event(session, tenant, contact, event_id)
        if event.status == "cancelled":
            outcome = DEFERRED if event.owed_operation == "delete" else DONE
            return ChangeResult(outcome, summary(event))
        if event.status in ACTIVE_EVENT_STATUSES:
            _refuse_late(session, tenant, event, now)
        before = _Before.of(event)
        cancel_calendar_event(session, tenant_id=tenant.id, event_id=event.id)
        if event.provider == "builtin" or before.status == "failed":
            clear_owed_write(session, event=event)
            return ChangeResult(DONE, summary(event))
        owe_calendar_write(session, event=event, operation="delete", attempts=0, error=None)
        session.commit()

        provider = provider_for_event(tenant, event)
        result = attempt_write(provider, tenant, event, "delete", policy=retry, sleep=sleep)
        if result.outcome == DONE:
            clear_owed_write(session, event=event)
            return ChangeResult(DONE, summary(event))
        if result.owed:
            keep_owed(session, tenant, event, result)
            return ChangeResult(result.outcome, summary(event), error=result.error)
        refused = f"cancel refused: {result.error}"
        event.status, event.idempotency_key = before.status, before.idempotency_key
        try:
            before.restore_owed(session, event, refused)
        except IntegrityError:  # the slot was re-booked meanwhile with the same request
            session.rollback()
            event = own_event(session, tenant, contact, event_id)
            event.status = before.status
            before.restore_owed(session, event, refused)
        return ChangeResult(FAILED, summary(event), error=result.error)
