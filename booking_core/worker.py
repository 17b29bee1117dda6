"""Finishes provider writes that an outage or a crash left owed.

Rows it picks up are those whose `owed_operation` is set, and pending rows (see
`calendar_writes.owed_operation`): an owed create -> create_event, then confirm; an owed update
-> update_event, then confirm; a cancelled row owing its delete -> delete_event. Each write goes
through `calendar_writes.attempt_write`, which decides the outcome, one call per pass.

Creates are idempotent (the provider-side id is the row's uid), so retrying a create whose first
answer was lost never duplicates the event. Each row is claimed with a compare-and-set on
`updated_at`, so two workers (or the worker and the action server) never work on the same row at
once, and rows younger than `min_age` are left to the request that is still handling them.
Backoff per row doubles with its attempt count (`owed_attempts`) up to `MAX_BACKOFF`.
A completed create or update queues a message telling the customer (`booking_core.notices`).
Tenants flagged `needs_reauth` are skipped until their admin reconnects. Creates/updates of
events that ended more than `EXPIRY` ago are given up (`failed`), since nobody needs them any more.

Run `python -m booking_core.worker` (loop) or `--once`; the action server can call
`complete_pending()` once at start-up and `start_background_worker()` for the loop.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from booking_core.calendar_writes import (
    DONE,
    GONE,
    NEEDS_REAUTH,
    Operation,
    WriteResult,
    attempt_write,
    confirm_written,
    failed_write,
    keep_owed,
    owed_operation,
    provider_for_event,
)
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.repository import (
    cancel_calendar_event,
    claim_owed_write,
    clear_owed_write,
    fail_calendar_event,
    get_event_for_write,
    get_tenant,
    list_owed_write_ids,
    owe_calendar_write,
)
from booking_core.db.session import session_scope
from booking_core.db.types import require_aware, utcnow
from booking_core.notices import queue_confirmation_notice
from booking_core.tenancy import reauth_pending

logger = logging.getLogger(__name__)

DEFAULT_MIN_AGE = timedelta(minutes=2)
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
EXPIRY = timedelta(days=1)
DEFAULT_INTERVAL_SECONDS = 30.0


@dataclass
class WorkerReport:
    """What one `complete_pending` pass did."""

    completed: int = 0
    deferred: int = 0
    failed: int = 0
    waiting_reauth: int = 0
    not_due: int = 0
    #: Completed bookings whose customer was queued a "now in the calendar" message.
    notices: int = 0

    @property
    def processed(self) -> int:
        """Rows a provider call was attempted for."""
        return self.completed + self.deferred + self.failed


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones (doubling, capped)."""
    if attempts <= 0:
        return timedelta(0)
    return min(MAX_BACKOFF, BASE_BACKOFF * 2 ** min(attempts - 1, 20))


def _due(event: CalendarEvent, now: datetime, min_age: timedelta) -> bool:
    wait = max(min_age, backoff(event.owed_attempts))
    return event.updated_at + wait <= now


def _write(
    event: CalendarEvent, tenant: Tenant, operation: Operation, database_url: str | None
) -> WriteResult:
    """One call of the owed write; a provider that cannot be found keeps it owed."""
    try:
        provider = provider_for_event(tenant, event, database_url=database_url)
    except Exception as exc:  # e.g. the tenant switched providers, or an unknown one
        return failed_write(operation, exc, attempts=event.owed_attempts + 1, uid=event.uid)
    return attempt_write(provider, tenant, event, operation, attempts_before=event.owed_attempts)


def _record(
    session: Session,
    tenant: Tenant,
    event: CalendarEvent,
    result: WriteResult,
    now: datetime,
    report: WorkerReport,
) -> None:
    """Store what became of the write (the decision is `attempt_write`'s)."""
    if result.owed:
        keep_owed(session, tenant, event, result, now=now)
        if result.outcome == NEEDS_REAUTH:
            report.waiting_reauth += 1
        else:
            report.deferred += 1
        return
    if result.outcome == DONE and result.operation == "delete":
        clear_owed_write(session, event=event, now=now)
        report.completed += 1
        return
    if result.outcome == DONE:
        session.refresh(event)
        if event.status == "cancelled":
            # Cancelled while we were writing it: take it away again (retried if this fails).
            owe_calendar_write(
                session,
                event=event,
                operation="delete",
                attempts=0,
                error="cancelled during a pending create",
                now=now - DEFAULT_MIN_AGE,
            )
            report.deferred += 1
            return
        confirm_written(session, event, result)
        # The customer was told it would be finished later: tell them it is (same transaction).
        if queue_confirmation_notice(session, event=event, now=now) is not None:
            report.notices += 1
        report.completed += 1
        logger.info("completed owed %s of event %s", result.operation, event.uid)
        return
    message = result.error or result.outcome
    if result.operation == "delete":
        clear_owed_write(session, event=event, error=f"delete refused by the provider: {message}")
    elif result.operation == "update" and result.outcome == GONE:
        cancel_calendar_event(session, tenant_id=tenant.id, event_id=event.id)
        clear_owed_write(session, event=event, error=f"deleted in the calendar: {message}")
    else:
        fail_calendar_event(session, event_id=event.id, error=message)
    report.failed += 1


def _process(
    event_id: int, now: datetime, min_age: timedelta, report: WorkerReport, database_url: str | None
) -> None:
    with session_scope(database_url) as session:
        event = get_event_for_write(session, event_id=event_id)
        if event is None:
            return
        tenant = get_tenant(session, tenant_id=event.tenant_id)
        operation = owed_operation(event)
        if tenant is None or operation is None:
            return
        if reauth_pending(tenant):
            report.waiting_reauth += 1
            return
        if not _due(event, now, min_age):
            report.not_due += 1
            return
        if operation != "delete" and event.end < now - EXPIRY:
            fail_calendar_event(
                session,
                event_id=event.id,
                error=f"gave up: the event ended before it reached the calendar ({event.error})",
            )
            report.failed += 1
            return
        # Claim: only one worker wins the compare-and-set on updated_at.
        if not claim_owed_write(session, event=event, now=now):
            return
        session.commit()
        _record(session, tenant, event, _write(event, tenant, operation, database_url), now, report)


def complete_pending(
    max_items: int = 50,
    *,
    now: datetime | None = None,
    min_age: timedelta = DEFAULT_MIN_AGE,
    database_url: str | None = None,
) -> WorkerReport:
    """One pass over owed provider writes (at most `max_items` attempts); never raises per row."""
    now = require_aware(now or utcnow(), "now")
    report = WorkerReport()
    with session_scope(database_url) as session:
        candidates = list_owed_write_ids(session, limit=max_items * 4)
    for event_id in candidates:
        if report.processed >= max_items:
            break
        try:
            _process(event_id, now, min_age, report, database_url)
        except Exception:  # one broken row must not stop the others
            logger.exception("worker failed on calendar event %s", event_id)
            report.failed += 1
    return report


def run_forever(
    *,
    interval: float = DEFAULT_INTERVAL_SECONDS,
    max_items: int = 50,
    stop: threading.Event | None = None,
    database_url: str | None = None,
    heartbeat: Path | None = None,
) -> None:
    """Repeat `complete_pending` every `interval` seconds until `stop` is set, touching
    `heartbeat` after every pass that reached the database (the worker serves no HTTP: its
    liveness probe checks the file's age)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            report = complete_pending(max_items, database_url=database_url)
            if report.processed or report.waiting_reauth:
                logger.info("worker pass: %s", report)
            if heartbeat is not None:
                heartbeat.touch()
        except Exception:  # e.g. the database is briefly unreachable: try again next round
            logger.exception("worker pass failed")
        stop.wait(interval)


def start_background_worker(
    *, interval: float = DEFAULT_INTERVAL_SECONDS, stop: threading.Event | None = None
) -> threading.Thread:
    """Daemon thread running `run_forever` (for the action server's start-up)."""
    thread = threading.Thread(
        target=run_forever,
        kwargs={"interval": interval, "stop": stop},
        name="booking-pending-worker",
        daemon=True,
    )
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> int:
    """CLI: `python -m booking_core.worker [--once] [--interval S] [--max-items N]`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL_SECONDS)
    parser.add_argument("--max-items", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--heartbeat", type=Path,
                        default=os.environ.get("WORKER_HEARTBEAT_FILE") or None,
                        help="touched after every pass (liveness probes read its age)")  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.once:
        report = complete_pending(args.max_items, database_url=args.database_url)
        print(report)
        return 0
    with contextlib.suppress(KeyboardInterrupt):
        run_forever(interval=args.interval, max_items=args.max_items,
                    database_url=args.database_url, heartbeat=args.heartbeat)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
