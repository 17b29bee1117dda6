"""Finishes provider writes that an outage or a crash left owed.

Rows it picks up (see `booking_core.booking` and `booking_core.manage` for how they arise):
- `pending` without a provider id: the create never got through -> create_event, then confirm;
- `pending` with a provider id: a reschedule is owed -> update_event, then confirm;
- `cancelled` with a "[delete attempt N]" marker: the provider delete is owed -> delete_event.

Creates are idempotent (the provider-side id is the row's uid), so retrying a create whose first
answer was lost never duplicates the event. Each row is claimed with a compare-and-set on
`updated_at`, so two workers (or the worker and the action server) never work on the same row at
once, and rows younger than `min_age` are left to the request that is still handling them.
Backoff per row doubles with its attempt count (kept in the error marker) up to `MAX_BACKOFF`.
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
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from booking_core.booking import (
    describe_error,
    flag_tenant_reauth,
    needs_reauth,
    parse_marker,
    pending_marker,
    provider_for_event,
)
from booking_core.calendars.base import ProviderResult
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.repository import cancel_calendar_event, confirm_calendar_event
from booking_core.db.session import session_scope
from booking_core.db.types import require_aware, utcnow
from booking_core.notices import queue_confirmation_notice

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


def _job(event: CalendarEvent) -> tuple[str, int]:
    """(kind, attempts so far) of an owed write."""
    marker = parse_marker(event.error)
    if event.status == "cancelled":
        return "delete", marker[1] if marker else 0
    if marker and marker[0] in ("create", "update"):
        kind = marker[0]
        if kind == "update" and event.provider_event_id is None:
            kind = "create"
        return kind, marker[1]
    return ("create" if event.provider_event_id is None else "update"), 0


def _due(event: CalendarEvent, now: datetime, min_age: timedelta) -> bool:
    _, attempts = _job(event)
    wait = max(min_age, backoff(attempts))
    return event.updated_at + wait <= now


def _candidates(database_url: str | None, limit: int) -> list[int]:
    with session_scope(database_url) as session:
        query = (
            select(CalendarEvent.id)
            .where(
                or_(
                    CalendarEvent.__table__.c.status == "pending",
                    and_(
                        CalendarEvent.__table__.c.status == "cancelled",
                        CalendarEvent.__table__.c.error.like("[delete attempt %"),
                    ),
                )
            )
            .order_by(CalendarEvent.updated_at, CalendarEvent.id)
            .limit(limit)
        )
        return list(session.execute(query).scalars())


def _process(
    event_id: int, now: datetime, min_age: timedelta, report: WorkerReport, database_url: str | None
) -> None:
    with session_scope(database_url) as session:
        event = session.get(CalendarEvent, event_id)
        if event is None:
            return
        tenant = session.get(Tenant, event.tenant_id)
        if tenant is None:
            return
        if event.status == "cancelled" and not (event.error or "").startswith("[delete attempt"):
            return
        if event.status not in ("pending", "cancelled"):
            return
        section = (tenant.calendar_settings or {}).get(tenant.calendar_provider) or {}
        if isinstance(section, dict) and section.get("needs_reauth"):
            report.waiting_reauth += 1
            return
        if not _due(event, now, min_age):
            report.not_due += 1
            return
        kind, attempts = _job(event)
        if kind != "delete" and event.end < now - EXPIRY:
            event.status = "failed"
            event.error = f"gave up: the event ended before it reached the calendar ({event.error})"
            event.updated_at = now
            report.failed += 1
            return
        # Claim: only one worker wins the compare-and-set on updated_at.
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
        if claimed.rowcount != 1:
            return
        # (the ORM copy keeps the old stamp on purpose: setting `now` below is then a change)
        session.commit()

        try:
            provider = provider_for_event(tenant, event, database_url=database_url)
            written: ProviderResult | None = None
            if kind == "create":
                written = provider.create_event(tenant, event)
            elif kind == "update":
                written = provider.update_event(tenant, event)
            else:
                provider.delete_event(tenant, event)
        except Exception as exc:
            message = describe_error(exc)
            event.updated_at = now
            if needs_reauth(exc):
                flag_tenant_reauth(
                    session, tenant_id=tenant.id, provider=tenant.calendar_provider, exc=exc
                )
                event.error = pending_marker(kind, attempts + 1, message)
                report.waiting_reauth += 1
            elif getattr(exc, "retryable", True):  # unknown errors: retry until expiry
                event.error = pending_marker(kind, attempts + 1, message)
                report.deferred += 1
            elif kind == "delete":
                event.error = f"delete refused by the provider: {message}"
                report.failed += 1
            elif kind == "update" and getattr(exc, "reason", None) == "gone":
                cancel_calendar_event(session, tenant_id=tenant.id, event_id=event.id)
                event.error = f"deleted in the calendar: {message}"
                report.failed += 1
            else:
                event.status = "failed"
                event.error = message
                report.failed += 1
            logger.warning("owed %s of event %s failed: %s", kind, event.uid, message)
            return

        if kind == "delete":
            event.error = None
            event.updated_at = now
            report.completed += 1
            return
        assert written is not None
        session.refresh(event)
        if event.status == "cancelled":
            # Cancelled while we were creating it: take it away again (retried if this fails).
            event.error = pending_marker("delete", 0, "cancelled during a pending create")
            event.updated_at = now - DEFAULT_MIN_AGE
            report.deferred += 1
            return
        confirm_calendar_event(
            session,
            event_id=event.id,
            provider_event_id=written.provider_event_id,
            link=written.link or event.link,
        )
        # The customer was told it would be finished later: tell them it is (same transaction).
        if queue_confirmation_notice(session, event=event, now=now) is not None:
            report.notices += 1
        report.completed += 1
        logger.info("completed owed %s of event %s", kind, event.uid)


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
    for event_id in _candidates(database_url, max_items * 4):
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
) -> None:
    """Repeat `complete_pending` every `interval` seconds until `stop` is set."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            report = complete_pending(max_items, database_url=database_url)
            if report.processed or report.waiting_reauth:
                logger.info("worker pass: %s", report)
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.once:
        report = complete_pending(args.max_items, database_url=args.database_url)
        print(report)
        return 0
    with contextlib.suppress(KeyboardInterrupt):
        run_forever(
            interval=args.interval, max_items=args.max_items, database_url=args.database_url
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
