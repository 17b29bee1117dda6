"""availability with booking rules and services: the one check every booking path uses refuses
what a rule forbids, says which rule, and offers only times that satisfy every rule (SQLite
and PostgreSQL, the fake calendar)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from booking_core.availability import check_availability
from booking_core.booking import submit_booking
from booking_core.booking_rules import ADVANCE, BUFFER, DAILY_CAP, NOTICE
from booking_core.db.models import Tenant
from booking_core.db.repository import create_service, ensure_default_tenant
from booking_core.db.session import session_scope
from booking_core.free_times import free_times
from tests.booking_core.fakes import ANN, BOB, FAST, NOW, FakeCalendar, at, row

TUESDAY = date(2030, 7, 2)


def set_rules(**rules: int) -> None:
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        tenant.booking_rules = rules


def add_service(name: str, minutes: int, **fields: Any) -> int:
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        return int(create_service(session, tenant_id=tenant.id, name=name,
                                  duration_minutes=minutes, **fields).id)  # fmt: skip


def book_service(
    user: str, start: str, minutes: int, service_id: int | None = None, day: date | None = None
) -> int:
    begin = at(start, day) if day else at(start)
    outcome = submit_booking(
        tenant_slug="shop", channel="whatsapp", platform_user_id=user, display_name=None,
        title="Haircut", start=begin, end=begin + timedelta(minutes=minutes),
        timezone="Europe/London", retry=FAST, service_id=service_id,
    )  # fmt: skip
    return outcome.booking.event_id


def test_minimum_notice_refuses_and_offers_times_after_it(fake: FakeCalendar) -> None:
    set_rules(min_notice_minutes=180)  # NOW is 08:00: nothing before 11:00
    result = check_availability(**ANN, start=at("09:00"), end=at("09:30"), now=NOW)
    assert not result.available and [r.rule for r in result.refusals] == [NOTICE]
    assert "3 hours notice" in result.refusals[0].reason
    assert result.alternatives and all(s.start >= at("11:00") for s in result.alternatives)
    assert check_availability(**ANN, start=at("11:00"), end=at("11:30"), now=NOW).available


def test_how_far_ahead_refuses_and_offers_the_last_open_days(fake: FakeCalendar) -> None:
    set_rules(max_advance_days=1)
    wednesday = at("10:00", date(2030, 7, 3))
    result = check_availability(**ANN, start=wednesday, end=wednesday + timedelta(hours=1),
                                now=NOW)  # fmt: skip
    assert [r.rule for r in result.refusals] == [ADVANCE]
    assert result.alternatives
    assert all(s.start.date() <= TUESDAY for s in result.alternatives)


def test_far_beyond_the_limit_offers_the_last_allowed_days(fake: FakeCalendar) -> None:
    set_rules(max_advance_days=1)
    book_service("ann", "16:00", 60, day=TUESDAY)  # the last allowed day's last hour is taken
    far = at("10:00", date(2030, 7, 24))  # three weeks ahead: outside any window read before
    result = check_availability(**BOB, start=far, end=far + timedelta(hours=1), now=NOW)
    assert [r.rule for r in result.refusals] == [ADVANCE]
    starts = [s.start for s in result.alternatives]
    assert starts and all(s.date() <= TUESDAY for s in starts)
    assert max(starts) < at("16:00", TUESDAY) or max(starts) >= at("17:00", TUESDAY)


def test_service_buffers_are_kept_on_the_booking_and_count_as_busy(fake: FakeCalendar) -> None:
    cut = add_service("Haircut", 30, buffer_after_minutes=15, price_cents=2500, currency="GBP")
    event_id = book_service("ann", "10:00", 30, cut)
    stored = row(event_id)
    assert (stored.service_id, stored.price_cents, stored.currency) == (cut, 2500, "GBP")
    assert (stored.buffer_before_minutes, stored.buffer_after_minutes) == (0, 15)
    # Bob, with no rules of his own, still cannot start at 10:30: the haircut's clean-up.
    result = check_availability(**BOB, start=at("10:30"), end=at("11:00"), now=NOW)
    assert [r.rule for r in result.refusals] == [BUFFER] and result.clashes == ()
    assert all(not (s.start < at("10:45") and s.end > at("10:00")) for s in result.alternatives)
    assert check_availability(**BOB, start=at("10:45"), end=at("11:15"), now=NOW).available
    # Free times offered for "this morning" skip the buffer too.
    offered = free_times(**BOB, start=at("10:00"), end=at("12:00"),
                         duration=timedelta(minutes=30), now=NOW)  # fmt: skip
    assert offered.slots and offered.slots[0].start == at("10:45")


def test_tenant_buffers_are_stored_on_bookings_without_a_service(fake: FakeCalendar) -> None:
    set_rules(buffer_before_minutes=10, buffer_after_minutes=5)
    stored = row(book_service("ann", "14:00", 60))
    assert (stored.service_id, stored.buffer_before_minutes, stored.buffer_after_minutes) == (
        None, 10, 5)  # fmt: skip


def test_daily_cap_of_a_service_counts_that_service_only(fake: FakeCalendar) -> None:
    massage = add_service("Massage", 60, booking_rules={"daily_cap": 1})
    cut = add_service("Haircut", 30)
    book_service("ann", "09:00", 60, massage)
    full = check_availability(**BOB, start=at("14:00"), end=at("15:00"), now=NOW,
                              service_id=massage)  # fmt: skip
    assert [r.rule for r in full.refusals] == [DAILY_CAP]
    assert full.alternatives and all(s.start.date() > NOW.date() for s in full.alternatives)
    other = check_availability(**BOB, start=at("14:00"), end=at("14:30"), now=NOW, service_id=cut)
    assert other.available


def test_a_service_of_another_tenant_brings_no_rules(fake: FakeCalendar) -> None:
    with session_scope() as session:
        default = ensure_default_tenant(session)
        foreign = create_service(
            session, tenant_id=default.id, name="Massage", duration_minutes=60,
            booking_rules={"min_notice_minutes": 600},
        )  # fmt: skip
        foreign_id = foreign.id
    result = check_availability(**ANN, start=at("09:00"), end=at("10:00"), now=NOW,
                                service_id=foreign_id)  # fmt: skip
    assert result.available and result.refusals == ()
    stored = row(book_service("ann", "09:00", 60, foreign_id))
    assert stored.service_id is None


def test_service_hours_replace_the_tenants(fake: FakeCalendar) -> None:
    evening = add_service("Evening yoga", 60, business_hours={"mon": ["18:00", "21:00"]})
    result = check_availability(**ANN, start=at("10:00"), end=at("11:00"), now=NOW,
                                service_id=evening)  # fmt: skip
    assert result.outside_hours and not result.available
    assert result.alternatives and result.alternatives[0].start == at("18:00")


def test_invalid_stored_rules_are_ignored_not_fatal(fake: FakeCalendar) -> None:
    set_rules(daily_cap=0)  # written past the API's validation
    assert check_availability(**ANN, start=at("10:00"), end=at("11:00"), now=NOW).available
