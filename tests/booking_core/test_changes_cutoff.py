"""The change cut-off: a booking too close to its start is neither moved nor cancelled, the
refusal names the rule and the business's contact, and a service's own cut-off wins (SQLite
and PostgreSQL, the fake calendar)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from booking_core.booking import submit_booking
from booking_core.changes import cancel_event, check_change_allowed, reschedule_event
from booking_core.db.models import Tenant
from booking_core.db.repository import create_service
from booking_core.db.session import session_scope
from booking_core.errors import ChangeCutoffError
from tests.booking_core.fakes import ANN, FAST, NOW, FakeCalendar, at, row

TOMORROW = date(2030, 7, 2)


def shop(**fields: object) -> None:
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        for name, value in fields.items():
            setattr(tenant, name, value)


def book_at(start_hhmm: str, day: date = date(2030, 7, 1), service_id: int | None = None) -> int:
    start = at(start_hhmm, day)
    return submit_booking(
        **ANN, display_name=None, title="Haircut", start=start,
        end=start + timedelta(minutes=30), timezone="Europe/London", retry=FAST,
        service_id=service_id,
    ).booking.event_id  # fmt: skip


def test_a_late_cancel_or_move_is_refused_with_the_contact(fake: FakeCalendar) -> None:
    shop(booking_rules={"change_cutoff_hours": 24}, phone="+44 117 496 0000",
         email="hello@shop.example")  # fmt: skip
    soon = book_at("12:00")  # four hours after NOW
    with pytest.raises(ChangeCutoffError) as refused:
        cancel_event(**ANN, event_id=soon, now=NOW, retry=FAST)
    assert "24 hours before" in refused.value.reason
    assert refused.value.contact == "+44 117 496 0000 or hello@shop.example"
    with pytest.raises(ChangeCutoffError):
        reschedule_event(**ANN, event_id=soon, new_start=at("15:00"), new_end=at("15:30"),
                         now=NOW, retry=FAST)  # fmt: skip
    with pytest.raises(ChangeCutoffError):
        check_change_allowed(**ANN, event_id=soon, now=NOW)
    assert row(soon).status == "confirmed" and row(soon).start == at("12:00")
    # Far enough ahead: both work.
    day_after = TOMORROW + timedelta(days=1)
    later = book_at("12:00", day_after)
    check_change_allowed(**ANN, event_id=later, now=NOW)
    moved = reschedule_event(**ANN, event_id=later, new_start=at("14:00", day_after),
                             new_end=at("14:30", day_after), now=NOW, retry=FAST)  # fmt: skip
    assert moved.saved
    assert cancel_event(**ANN, event_id=later, now=NOW, retry=FAST).saved


def test_a_services_own_cutoff_wins(fake: FakeCalendar) -> None:
    shop(booking_rules={"change_cutoff_hours": 24})
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        quick = create_service(
            session, tenant_id=tenant.id, name="Quick trim", duration_minutes=30,
            booking_rules={"change_cutoff_hours": 1},
        ).id  # fmt: skip
    event_id = book_at("12:00", service_id=quick)
    assert cancel_event(**ANN, event_id=event_id, now=NOW, retry=FAST).saved


def test_no_cutoff_no_contact_needed(fake: FakeCalendar) -> None:
    soon = book_at("08:30")
    assert cancel_event(**ANN, event_id=soon, now=NOW, retry=FAST).saved
    shop(booking_rules={"change_cutoff_hours": 48})
    again = book_at("09:00")
    with pytest.raises(ChangeCutoffError) as refused:
        cancel_event(**ANN, event_id=again, now=NOW, retry=FAST)
    assert refused.value.contact is None and "48 hours" in refused.value.reason
