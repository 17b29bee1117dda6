"""worker.complete_pending: owed creates, updates and deletes are finished exactly once."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from booking_core import worker
from booking_core.booking import submit_booking
from booking_core.calendar_writes import DEFERRED
from booking_core.calendars.base import ProviderResult
from booking_core.changes import cancel_event, reschedule_event
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.session import session_scope
from booking_core.db.types import utcnow
from booking_core.worker import backoff, complete_pending
from tests.booking_core.fakes import (
    ANN,
    FAST,
    FakeAuthError,
    FakeCalendar,
    at,
    book,
    outage,
    row,
    tenant_settings,
)


def owed(event_id: int) -> tuple[str | None, int]:
    """The row's owed write and its attempt count."""
    stored = row(event_id)
    return stored.owed_operation, stored.owed_attempts


def later(minutes: float = 5) -> datetime:
    return utcnow() + timedelta(minutes=minutes)


def deferred_booking(fake: FakeCalendar, **kw: Any) -> int:
    fake.failures = [outage(), outage(), outage()]
    event_id = book(**kw)
    assert row(event_id).status == "pending" and fake.failures == []
    return event_id


def test_backoff_doubles_and_caps() -> None:
    assert backoff(0) == timedelta(0)
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(50) == worker.MAX_BACKOFF


def test_completes_deferred_booking(fake: FakeCalendar) -> None:
    event_id = deferred_booking(fake)
    assert complete_pending().not_due == 1  # too fresh: the request may still be handling it
    report = complete_pending(now=later())
    assert (report.completed, report.deferred, report.failed) == (1, 0, 0)
    stored = row(event_id)
    assert (stored.status, stored.error) == ("confirmed", None)
    assert stored.provider_event_id == f"fk{stored.uid}" and stored.link
    assert len(fake.active()) == 1
    assert complete_pending(now=later(60)).processed == 0  # nothing left


def test_deferred_create_writes_the_stored_location(
    fake: FakeCalendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's retry writes the row it reads, location included."""
    written: list[str | None] = []
    create = fake.create_event

    def spy(tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        written.append(event.location)
        return create(tenant, event)

    monkeypatch.setattr(fake, "create_event", spy)
    fake.failures = [outage(), outage(), outage()]
    outcome = submit_booking(
        tenant_slug="shop",
        channel="whatsapp",
        platform_user_id="ann",
        display_name="Ann",
        title="Coffee with the landlord",
        start=at("10:00"),
        end=at("11:00"),
        timezone="Europe/London",
        retry=FAST,
        location=" 2250 Oak Street ",
    )
    assert (outcome.outcome, outcome.booking.location) == (DEFERRED, "2250 Oak Street")
    assert complete_pending(now=later()).completed == 1
    assert written == ["2250 Oak Street"] * 4  # three attempts while waiting, then the worker
    stored = row(outcome.booking.event_id)
    assert (stored.status, stored.location) == ("confirmed", "2250 Oak Street")


def test_failed_attempt_backs_off(fake: FakeCalendar) -> None:
    event_id = deferred_booking(fake)
    fake.failures = [outage()]
    assert complete_pending(now=later()).deferred == 1
    assert owed(event_id) == ("create", 4)
    # Attempt 4 waits 4 minutes (claimed at later(5)): not due at +8, due at +10.
    assert complete_pending(now=later(8)).not_due == 1
    assert complete_pending(now=later(10)).completed == 1


def test_completes_owed_update_and_delete(fake: FakeCalendar) -> None:
    moved = book(title="Dentist", start=at("10:00"), end=at("11:00"))
    gone = book(title="Haircut", start=at("12:00"), end=at("13:00"))
    fake.failures = [outage()] * 6
    assert (
        reschedule_event(
            **ANN, event_id=moved, new_start=at("15:00"), new_end=at("16:00"), retry=FAST
        ).outcome
        == "deferred"
    )
    assert cancel_event(**ANN, event_id=gone, retry=FAST).outcome == "deferred"
    report = complete_pending(now=later())
    assert report.completed == 2
    assert (row(moved).status, row(moved).start, row(moved).error) == (
        "confirmed",
        at("15:00"),
        None,
    )
    assert (row(gone).status, row(gone).error) == ("cancelled", None)
    (remote,) = fake.active()
    assert (remote["title"], remote["start"]) == ("Dentist", at("15:00"))


def test_flagged_tenant_waits_for_reconnect(fake: FakeCalendar) -> None:
    fake.failures = [FakeAuthError()]
    event_id = book()
    assert tenant_settings("shop")["fake"]["needs_reauth"] is True
    calls = len(fake.calls)
    assert complete_pending(now=later()).waiting_reauth == 1
    assert len(fake.calls) == calls  # nothing sent with refused credentials
    with session_scope() as session:  # the admin reconnects: a fresh section without the flag
        tenant = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        tenant.calendar_settings = {"fake": {"token": "new"}}
    assert complete_pending(now=later()).completed == 1
    assert row(event_id).status == "confirmed"


def test_credentials_refused_during_pass_flags_tenant(fake: FakeCalendar) -> None:
    event_id = deferred_booking(fake)
    fake.failures = [FakeAuthError()]
    assert complete_pending(now=later()).waiting_reauth == 1
    assert tenant_settings("shop")["fake"]["needs_reauth"] is True
    assert row(event_id).status == "pending"


def test_permanent_and_unknown_errors(fake: FakeCalendar) -> None:
    from booking_core.calendars.base import ProviderError

    bad = deferred_booking(fake, title="Bad")
    odd = deferred_booking(fake, title="Odd", start=at("12:00"), end=at("13:00"))
    fake.failures = [ProviderError("400 invalid", retryable=False), RuntimeError("surprise")]
    report = complete_pending(now=later())
    assert (report.failed, report.deferred) == (1, 1)
    assert row(bad).status == "failed"
    assert row(odd).status == "pending" and owed(odd) == ("create", 4)


def test_expired_events_are_given_up(fake: FakeCalendar) -> None:
    event_id = deferred_booking(fake)
    report = complete_pending(now=at("11:00") + timedelta(days=2))
    assert report.failed == 1 and fake.calls.count(("create", f"fk{row(event_id).uid}")) == 3
    stored = row(event_id)
    assert stored.status == "failed" and "gave up" in (stored.error or "")


def test_cancelled_while_being_created(fake: FakeCalendar) -> None:
    event_id = deferred_booking(fake)
    original = fake.create_event

    def create_then_user_cancels(tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        result = original(tenant, event)
        with session_scope() as session:  # the contact cancels meanwhile (row not yet confirmed)
            session.get(CalendarEvent, event_id).status = "cancelled"
        return result

    fake.create_event = create_then_user_cancels  # type: ignore[method-assign]
    assert complete_pending(now=later()).deferred == 1
    assert owed(event_id) == ("delete", 0)
    assert complete_pending(now=later()).completed == 1
    assert fake.active() == [] and row(event_id).status == "cancelled"


def test_concurrent_workers_claim_each_row_once(fake: FakeCalendar) -> None:
    first = deferred_booking(fake)
    second = deferred_booking(fake, title="Other", start=at("12:00"), end=at("13:00"))
    original = fake.create_event

    def slow_create(tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        time.sleep(0.2)
        return original(tenant, event)

    fake.create_event = slow_create  # type: ignore[method-assign]
    creates_before = len([c for c in fake.calls if c[0] == "create"])
    now = later()
    barrier = threading.Barrier(3)
    reports: list[worker.WorkerReport] = []

    def run() -> None:
        barrier.wait(timeout=10)
        reports.append(complete_pending(now=now))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.completed for r in reports) == 2
    creates = len([c for c in fake.calls if c[0] == "create"]) - creates_before
    assert creates == 2
    assert row(first).status == row(second).status == "confirmed"


def test_builtin_leftover_pending_row(db_settings: str) -> None:
    event_id = book(slug=None)
    with session_scope() as session:
        event = session.get(CalendarEvent, event_id)
        event.status = "pending"  # as if the process died between commit and confirm
        event.updated_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
    assert complete_pending(now=later()).completed == 1
    assert row(event_id).status == "confirmed"


def test_cli_once(fake: FakeCalendar, capsys: pytest.CaptureFixture[str]) -> None:
    deferred_booking(fake)
    assert worker.main(["--once"]) == 0
    assert "not_due=1" in capsys.readouterr().out


def test_background_loop_stops(fake: FakeCalendar) -> None:
    stop = threading.Event()
    thread = worker.start_background_worker(interval=0.05, stop=stop)
    time.sleep(0.2)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_completing_a_saved_booking_tells_the_customer_once(fake: FakeCalendar) -> None:
    from booking_core.db.models import Message
    from booking_core.db.repository import record_message

    event_id = deferred_booking(fake)
    with session_scope() as session:  # the customer wrote from WhatsApp account 111 just now
        event = session.get(CalendarEvent, event_id)
        assert event is not None and event.contact_id is not None
        record_message(session, tenant_id=event.tenant_id, contact_id=event.contact_id,
                       channel="whatsapp", direction="in", text="book a dentist",
                       payload={"inbound": {"account_id": "111"}}, platform_message_id="w1",
                       sent_at=utcnow())  # fmt: skip
    report = complete_pending(now=later())
    assert (report.completed, report.notices) == (1, 1)
    assert complete_pending(now=later(60)).processed == 0
    stored = row(event_id)
    with session_scope() as session:
        [notice] = session.execute(select(Message).where(Message.direction == "out")).scalars()
        assert stored.confirmed_message_id == notice.id and notice.status == "queued"
        assert notice.payload["notice"] == notice.text and stored.link in notice.text


def _owe(event_id: int, operation: str, attempts: int) -> None:
    """Put a confirmed booking in the state a deferred write of `operation` leaves it in."""
    with session_scope() as session:
        event = session.get(CalendarEvent, event_id)
        assert event is not None
        if operation == "create":
            event.provider_event_id, event.link, event.status = None, None, "pending"
        elif operation == "update":
            event.start, event.end, event.status = at("15:00"), at("16:00"), "pending"
        else:
            event.status, event.idempotency_key = "cancelled", None
        event.owed_operation, event.owed_attempts, event.error = operation, attempts, "503"
        event.updated_at = utcnow() - timedelta(hours=1)


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_completes_each_owed_operation(fake: FakeCalendar, operation: str) -> None:
    event_id = book()
    if operation == "create":
        fake.events.clear()  # the provider never received it
    _owe(event_id, operation, attempts=2)
    report = complete_pending(now=later())
    assert (report.completed, report.deferred, report.failed) == (1, 0, 0)
    assert fake.calls[-1] == (operation, f"fk{row(event_id).uid}")
    stored = row(event_id)
    assert (stored.owed_operation, stored.owed_attempts, stored.error) == (None, 0, None)
    if operation == "delete":
        assert stored.status == "cancelled" and fake.active() == []
    else:
        assert stored.status == "confirmed" and stored.link
        (remote,) = fake.active()
        assert (remote["start"], remote["end"]) == (stored.start, stored.end)
    assert complete_pending(now=later(120)).processed == 0


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_each_owed_operation_counts_its_attempts(fake: FakeCalendar, operation: str) -> None:
    event_id = book()
    _owe(event_id, operation, attempts=2)
    fake.failures = [outage()]
    assert complete_pending(now=later()).deferred == 1
    assert owed(event_id) == (operation, 3)
    assert "503 backend error" in (row(event_id).error or "")


def test_every_pass_touches_the_heartbeat(db_settings: str, tmp_path, monkeypatch) -> None:
    """The worker's liveness: a file whose age a probe reads (it serves no HTTP)."""
    heartbeat = tmp_path / "worker.heartbeat"
    stop = threading.Event()
    passes = []

    def one_pass(*args: Any, **kwargs: Any) -> worker.WorkerReport:
        passes.append(1)
        if len(passes) == 2:
            stop.set()
        return worker.WorkerReport()

    monkeypatch.setattr(worker, "complete_pending", one_pass)
    worker.run_forever(interval=0, stop=stop, heartbeat=heartbeat)
    assert heartbeat.exists() and len(passes) == 2
