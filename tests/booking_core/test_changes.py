"""changes: reschedule (provider update) and cancel (provider delete) of a contact's own events
(SQLite and PostgreSQL, the fake calendar of tests/booking_core/fakes.py)."""

from __future__ import annotations

import pytest

from booking_core.availability import check_availability
from booking_core.calendars.base import ProviderError
from booking_core.changes import cancel_event, reschedule_event
from booking_core.errors import EventNotChangeableError, EventNotFoundError
from tests.booking_core.fakes import (
    ANN,
    BOB,
    FAST,
    NOW,
    FakeAuthError,
    FakeCalendar,
    at,
    book,
    outage,
    row,
    tenant_settings,
)


def test_reschedule_builtin(db_settings: str) -> None:
    event_id = book(slug=None, start=at("10:00"), end=at("11:00"))
    me = {"tenant_slug": None, "channel": "whatsapp", "platform_user_id": "ann"}
    result = reschedule_event(**me, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"))
    assert result.outcome == "done" and result.saved
    assert (result.previous_start, result.event.start) == (at("10:00"), at("14:00"))
    stored = row(event_id)
    assert (stored.start, stored.status) == (at("14:00"), "confirmed")
    # Booking the old slot again makes a new event (the moved row no longer holds that key).
    assert book(slug=None, start=at("10:00"), end=at("11:00")) != event_id


def test_reschedule_external(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    result = reschedule_event(
        **ANN, event_id=event_id, new_start=at("14:00"), new_end=at("14:45"), retry=FAST
    )
    assert result.outcome == "done"
    stored = row(event_id)
    assert (stored.start, stored.end, stored.status, stored.error) == (
        at("14:00"),
        at("14:45"),
        "confirmed",
        None,
    )
    (remote,) = fake.active()
    assert (remote["start"], remote["end"]) == (at("14:00"), at("14:45"))


def test_reschedule_is_scoped_to_the_contact(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    for other in (BOB, {**ANN, "channel": "telegram"}, {**ANN, "tenant_slug": None}):
        with pytest.raises(EventNotFoundError):
            reschedule_event(**other, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"))
        with pytest.raises(EventNotFoundError):
            cancel_event(**other, event_id=event_id)
    assert row(event_id).start == at("10:00")


def test_reschedule_refusals(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    with pytest.raises(EventNotChangeableError, match="past"):
        reschedule_event(
            **ANN,
            event_id=event_id,
            new_start=at("07:00"),
            new_end=at("07:30"),
            now=NOW,
        )
    with pytest.raises(EventNotChangeableError, match="after"):
        reschedule_event(**ANN, event_id=event_id, new_start=at("14:00"), new_end=at("14:00"))
    cancel_event(**ANN, event_id=event_id, retry=FAST)
    with pytest.raises(EventNotChangeableError, match="cancelled"):
        reschedule_event(**ANN, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"))


def test_reschedule_during_outage_is_deferred(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    fake.failures = [outage(), outage(), outage()]
    result = reschedule_event(
        **ANN, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"), retry=FAST
    )
    assert result.outcome == "deferred" and result.saved and result.event.pending
    stored = row(event_id)
    assert stored.status == "pending" and stored.start == at("14:00")
    assert (stored.owed_operation, stored.owed_attempts) == ("update", 3)
    assert stored.error and "503" in stored.error
    assert fake.active()[0]["start"] == at("10:00")  # not yet changed at the provider


def test_reschedule_permanent_refusal_restores(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    fake.failures = [ProviderError("400 invalid", retryable=False)]
    result = reschedule_event(
        **ANN, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"), retry=FAST
    )
    assert result.outcome == "failed" and not result.saved
    stored = row(event_id)
    assert (stored.start, stored.status) == (at("10:00"), "confirmed")
    assert "400" in (stored.error or "")


def test_reschedule_event_deleted_in_calendar(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    for data in fake.events.values():
        data["status"] = "cancelled"
    result = reschedule_event(
        **ANN, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"), retry=FAST
    )
    assert result.outcome == "gone"
    assert row(event_id).status == "cancelled"


def test_reschedule_with_revoked_credentials(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    fake.failures = [FakeAuthError()]
    result = reschedule_event(
        **ANN, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"), retry=FAST
    )
    assert result.outcome == "needs_reauth" and result.saved
    assert row(event_id).status == "pending"
    assert tenant_settings("shop")["fake"]["needs_reauth"] is True
    assert len([c for c in fake.calls if c[0] == "update"]) == 1  # not retried



def test_cancel_external(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    result = cancel_event(**ANN, event_id=event_id, retry=FAST)
    assert result.outcome == "done"
    stored = row(event_id)
    assert (stored.status, stored.error, stored.idempotency_key) == ("cancelled", None, None)
    assert fake.active() == []
    again = cancel_event(**ANN, event_id=event_id, retry=FAST)
    assert again.outcome == "done"
    assert len([c for c in fake.calls if c[0] == "delete"]) == 1


def test_cancel_builtin(db_settings: str) -> None:
    event_id = book(slug=None)
    me = {"tenant_slug": None, "channel": "whatsapp", "platform_user_id": "ann"}
    assert cancel_event(**me, event_id=event_id).outcome == "done"
    assert row(event_id).status == "cancelled"


def test_cancel_during_outage_is_deferred(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    fake.failures = [outage(), outage(), outage()]
    result = cancel_event(**ANN, event_id=event_id, retry=FAST)
    assert result.outcome == "deferred" and result.saved
    stored = row(event_id)
    assert stored.status == "cancelled"
    assert (stored.owed_operation, stored.owed_attempts) == ("delete", 3)
    # The slot is free for others right away.
    assert check_availability(**BOB, start=at("10:00"), end=at("11:00"), now=NOW).clashes == (
        "another appointment",  # still at the provider until the worker deletes it
    )


def test_cancel_permanent_refusal_restores(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    fake.failures = [ProviderError("400", retryable=False)]
    result = cancel_event(**ANN, event_id=event_id, retry=FAST)
    assert result.outcome == "failed"
    stored = row(event_id)
    assert stored.status == "confirmed" and stored.idempotency_key is not None
