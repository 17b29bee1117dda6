"""availability: free/busy from the provider and our rows, hours, alternatives (SQLite and
PostgreSQL, the fake calendar of tests/booking_core/fakes.py)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from booking_core.availability import check_availability
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.session import session_scope
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


def test_builtin_availability_names_only_own_and_business_events(db_settings: str) -> None:
    book(slug=None, user="ann", title="Dentist", start=at("10:00"), end=at("11:00"))
    book(slug=None, user="bob", title="Bob's secret meeting", start=at("11:00"), end=at("12:00"))
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "default")).scalar_one()
        session.add(
            CalendarEvent(
                tenant_id=tenant.id,
                contact_id=None,
                title="Staff training",
                start=at("12:00"),
                end=at("13:00"),
                timezone="Europe/London",
                provider="builtin",
                status="confirmed",
            )
        )
    me = {"tenant_slug": None, "channel": "whatsapp", "platform_user_id": "ann"}
    result = check_availability(**me, start=at("10:30"), end=at("12:30"), now=NOW)
    assert not result.available
    assert result.clashes == ("Dentist", "another appointment", "Staff training")
    assert "Bob's secret meeting" not in result.clashes
    assert all(s.end - s.start == timedelta(hours=2) for s in result.alternatives)
    assert result.alternatives[0].start == at("13:00")

    free = check_availability(**me, start=at("14:00"), end=at("15:00"), now=NOW)
    assert free.available and free.checked and free.alternatives == ()


def test_external_busy_is_another_appointment(fake: FakeCalendar) -> None:
    event_id = book(title="Dentist", start=at("10:00"), end=at("11:00"))
    assert row(event_id).status == "confirmed"
    fake.others.append((at("11:00"), at("12:00")))
    result = check_availability(**ANN, start=at("10:30"), end=at("11:30"), now=NOW)
    assert result.clashes == ("Dentist", "another appointment")
    assert result.checked and result.alternatives
    # 09:00 and 12:00 are equally near (90 min); the earlier one first.
    assert [s.start for s in result.alternatives][:2] == [at("09:00"), at("12:00")]
    # Only the provider's copy of Ann's own event overlaps: no anonymous duplicate.
    only_mine = check_availability(**ANN, start=at("10:15"), end=at("10:45"), now=NOW)
    assert only_mine.clashes == ("Dentist",)
    # Bob sees Ann's event anonymously.
    bob = check_availability(**BOB, start=at("10:15"), end=at("10:45"), now=NOW)
    assert bob.clashes == ("another appointment",)


def test_pending_rows_block_their_slot(fake: FakeCalendar) -> None:
    fake.failures = [outage(), outage(), outage()]
    event_id = book(start=at("15:00"), end=at("16:00"))
    assert row(event_id).status == "pending" and fake.active() == []
    result = check_availability(**BOB, start=at("15:00"), end=at("16:00"), now=NOW)
    assert result.clashes == ("another appointment",)


def test_availability_when_provider_is_down(fake: FakeCalendar) -> None:
    fake.others.append((at("14:00"), at("15:00")))
    fake.failures = [outage(), outage(), outage()]
    result = check_availability(**ANN, start=at("14:00"), end=at("15:00"), now=NOW, retry=FAST)
    assert not result.checked and result.available  # only our own rows could be checked
    assert result.error and "503" in result.error


def test_availability_with_revoked_credentials_flags_tenant(fake: FakeCalendar) -> None:
    fake.failures = [FakeAuthError()]
    result = check_availability(**ANN, start=at("14:00"), end=at("15:00"), now=NOW, retry=FAST)
    assert result.needs_reauth and not result.checked
    settings = tenant_settings("shop")["fake"]
    assert settings["needs_reauth"] is True and settings["reauth_reason"] == "invalid_grant"
    assert settings["token"] == "x"  # the rest of the section is kept


def test_exclude_own_event_for_reschedule(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    shifted = {"start": at("10:30"), "end": at("11:30"), "now": NOW}
    assert check_availability(**ANN, **shifted).clashes == ("Dentist",)
    assert check_availability(**ANN, **shifted, exclude_event_id=event_id).available
    # Someone else's event id is not excluded.
    assert not check_availability(**BOB, **shifted, exclude_event_id=event_id).available


def test_outside_hours_and_past(fake: FakeCalendar) -> None:
    evening = check_availability(**ANN, start=at("18:00"), end=at("19:00"), now=NOW)
    assert evening.outside_hours and not evening.available and evening.alternatives
    assert evening.alternatives[0].start == at("16:00")
    past = check_availability(
        **ANN, start=at("07:00"), end=at("07:30"), now=NOW + timedelta(hours=1)
    )
    assert past.in_past and past.alternatives[0].start >= NOW + timedelta(hours=1)


def test_tenant_business_hours_are_used(fake: FakeCalendar) -> None:
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        tenant.business_hours = {"sat": ["10:00", "14:00"]}
    saturday = date(2030, 7, 6)
    ok = check_availability(**ANN, start=at("10:00", saturday), end=at("11:00", saturday), now=NOW)
    assert ok.available
    monday = check_availability(**ANN, start=at("10:00"), end=at("11:00"), now=NOW)
    assert monday.outside_hours
    assert [s.start for s in monday.alternatives][:1] == [at("10:00", saturday)]
