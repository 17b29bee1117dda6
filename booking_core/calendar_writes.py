"""Calendar writes in one place: `attempt_write` makes one provider write and alone decides
what became of it; the callers only record the decision.

A write is an `operation` on a stored row: create (a booking), update (a reschedule) or delete
(a cancellation). Its outcome is one of:

| the provider                                      | outcome      | the row                    |
|---------------------------------------------------|--------------|----------------------------|
| wrote it                                          | done         | nothing owed               |
| timed out, 5xx, 429, network error, unknown error | deferred     | write owed, worker retries |
| refused the credentials (401, invalid_grant)      | needs_reauth | write owed, tenant flagged |
| has no such event (404, 410, "gone")              | gone         | caller's; a delete is done |
| refused the request for good (any other 4xx)      | failed       | caller's (nothing owed)    |

Errors say what they are through duck-typed attributes (`needs_reauth`, `retryable`, `status`,
`reason`), so the decision needs no provider import. Retryable errors are retried in place as
the caller's `RetryPolicy` says; the attempt count goes on with the worker's calls
(`calendar_events.owed_attempts`). A deferred or refused write is recorded on the row by
`keep_owed` and a done create or update by `confirm_written` (booking, changes and the worker
alike); what gone and failed mean for the row differs per caller (a failed create fails the
booking, a failed reschedule restores the old times, a gone one cancels the row) and stays with
it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from booking_core.calendars.base import (
    CalendarProvider,
    ProviderResult,
    describe_error,
    needs_reauth,
)
from booking_core.calendars.builtin import BuiltinCalendarProvider
from booking_core.calendars.registry import get_provider
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.repository import confirm_calendar_event, owe_calendar_write
from booking_core.retry_policy import NO_RETRY, RetryPolicy, call_with_retry
from booking_core.tenancy import flag_tenant_reauth

logger = logging.getLogger(__name__)

Operation = Literal["create", "update", "delete"]
OPERATIONS: tuple[Operation, ...] = ("create", "update", "delete")

#: Outcomes of a write (`WriteResult.outcome`, `ChangeResult.outcome`).
DONE = "done"
DEFERRED = "deferred"
NEEDS_REAUTH = "needs_reauth"
#: The provider event no longer exists (deleted in the calendar itself).
GONE = "gone"
FAILED = "failed"
#: Outcomes after which the write is still owed (the row waits for the worker).
OWED_OUTCOMES = frozenset({DEFERRED, NEEDS_REAUTH})
#: HTTP statuses of an event the provider no longer has.
GONE_STATUSES = frozenset({404, 410})


@dataclass(frozen=True)
class WriteResult:
    """What became of one write: `attempts` counts the provider calls made for it so far
    (earlier ones included); `written` is the provider's answer when it was done."""

    outcome: str
    operation: Operation
    attempts: int
    written: ProviderResult | None = None
    error: str | None = None
    exc: BaseException | None = None

    @property
    def owed(self) -> bool:
        """True when the write must still be made (deferred, or waiting for reauthorisation)."""
        return self.outcome in OWED_OUTCOMES


def decide(exc: BaseException) -> str:
    """The outcome of a write that raised `exc` (the table in the module docstring).

    An error's own `retryable` says deferred or failed; without one, an HTTP `status` does
    (408, 429 and 5xx are worth retrying, other 4xx are not). An error that says neither (a
    bug, an unexpected library error) is deferred: the write is kept, and the worker gives it
    up once the event has ended.
    """
    if needs_reauth(exc):
        return NEEDS_REAUTH
    status = getattr(exc, "status", None)
    if getattr(exc, "reason", None) == "gone" or status in GONE_STATUSES:
        return GONE
    retryable = getattr(exc, "retryable", None)
    if retryable is not None:
        return DEFERRED if retryable else FAILED
    if isinstance(status, int) and status >= 400:
        return DEFERRED if status in (408, 429) or status >= 500 else FAILED
    return DEFERRED


def attempt_write(
    provider: CalendarProvider,
    tenant: Tenant,
    event: CalendarEvent,
    operation: Operation,
    *,
    attempts_before: int = 0,
    policy: RetryPolicy = NO_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> WriteResult:
    """Make `operation` of `event` at `provider` (retrying as `policy` says) and decide the
    outcome. Never raises for provider trouble; touches no database (the caller records).

    A delete of an event the provider no longer has is done: that is what a delete wants.
    """
    calls = 0

    def call() -> ProviderResult | None:
        nonlocal calls
        calls += 1
        if operation == "create":
            return provider.create_event(tenant, event)
        if operation == "update":
            return provider.update_event(tenant, event)
        provider.delete_event(tenant, event)
        return None

    try:
        written = call_with_retry(call, policy, sleep=sleep)
    except Exception as exc:
        return failed_write(operation, exc, attempts=attempts_before + calls, uid=event.uid)
    return WriteResult(DONE, operation, attempts_before + calls, written=written)


def failed_write(
    operation: Operation, exc: BaseException, *, attempts: int, uid: str | None = None
) -> WriteResult:
    """The result of a write that raised `exc` after `attempts` calls (also for a provider
    that could not even be found: the worker keeps such a write owed like an outage)."""
    outcome = decide(exc)
    if outcome == GONE and operation == "delete":
        outcome = DONE
    message = describe_error(exc)
    logger.warning("%s of event %s: %s (%s)", operation, uid, outcome, message)
    return WriteResult(outcome, operation, attempts, error=message, exc=exc)


def confirm_written(session: Session, event: CalendarEvent, result: WriteResult) -> None:
    """Record a done create or update: the provider's id and link (the row's link when the
    provider gives none), `confirmed`, nothing owed."""
    if result.outcome != DONE or result.written is None:
        raise ValueError(f"a {result.outcome} {result.operation} wrote no event")
    confirm_calendar_event(
        session,
        event_id=event.id,
        provider_event_id=result.written.provider_event_id,
        link=result.written.link or event.link,
    )


def keep_owed(
    session: Session,
    tenant: Tenant,
    event: CalendarEvent,
    result: WriteResult,
    *,
    now: datetime | None = None,
) -> None:
    """Record a deferred or refused write on its row for the worker (an owed create or update
    keeps the row pending), stamped `now` (the worker's backoff counts from it); refused
    credentials also flag the tenant for its admin."""
    if not result.owed:
        raise ValueError(f"a {result.outcome} write is not owed")
    if result.outcome == NEEDS_REAUTH and result.exc is not None:
        flag_tenant_reauth(
            session, tenant_id=tenant.id, provider=tenant.calendar_provider, exc=result.exc
        )
    owe_calendar_write(
        session,
        event=event,
        operation=result.operation,
        attempts=result.attempts,
        error=result.error,
        now=now,
    )


def owed_operation(event: CalendarEvent) -> Operation | None:
    """The write `event` still owes its provider, or None.

    A cancelled row owes a delete when any write is recorded (the provider must not keep it),
    nothing otherwise. A pending row owes what is recorded (an update of an event the provider
    never received is its create), or, pending without a record (written by hand, or left by a
    crash), a create or an update by its provider id.
    """
    recorded = event.owed_operation
    if event.status == "cancelled":
        return "delete" if recorded is not None else None
    if event.status != "pending":
        return None
    if recorded == "create" or (recorded == "update" and event.provider_event_id is None):
        return "create"
    if recorded == "update":
        return "update"
    return "create" if event.provider_event_id is None else "update"


def provider_for_event(
    tenant: Tenant, event: CalendarEvent, *, database_url: str | None = None
) -> CalendarProvider:
    """The provider that holds `event`: the tenant's current one, or the built-in calendar for
    rows written before the tenant switched (those have nothing external to change)."""
    if event.provider == tenant.calendar_provider or event.provider_event_id is None:
        return get_provider(tenant, database_url=database_url)
    if event.provider == "builtin":
        return BuiltinCalendarProvider(database_url)
    raise ValueError(
        f"event {event.uid} lives in {event.provider!r} but the tenant now uses "
        f"{tenant.calendar_provider!r}"
    )
