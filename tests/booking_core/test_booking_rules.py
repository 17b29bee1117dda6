"""booking_rules: each rule alone, their combinations, and DST days (pure, fixed times)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core.booking_rules import (
    ADVANCE,
    BUFFER,
    CHANGE_CUTOFF,
    DAILY_CAP,
    NO_RULES,
    NOTICE,
    BookedTime,
    BookingRules,
    applied_rules,
    booking_refusals,
    change_refusal,
    day_blocks,
    earliest_start,
    full_days,
    latest_start,
    padded_busy,
    parse_booking_rules,
)
from booking_core.scheduling import Busy, check_slot, parse_business_hours

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2030, 7, 1, 8, 0, tzinfo=LONDON)  # a Monday
MIN = timedelta(minutes=1)


def at(hhmm: str, day: date = date(2030, 7, 1)) -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{hhmm}").replace(tzinfo=LONDON)


def real(busy: Busy) -> timedelta:
    """Elapsed time (same-zone aware datetimes subtract by the wall clock)."""
    return busy.end.astimezone(timezone.utc) - busy.start.astimezone(timezone.utc)


def rules(**values: int) -> BookingRules:
    return applied_rules(values)


def refused(start: datetime, minutes: int = 30, **kw: object) -> list[str]:
    kw.setdefault("now", NOW)
    kw.setdefault("zone", LONDON)
    kw.setdefault("rules", NO_RULES)
    found = booking_refusals(start=start, end=start + minutes * MIN, **kw)  # type: ignore[arg-type]
    return [r.rule for r in found]


# --- parsing ---------------------------------------------------------------------------------


def test_parse_accepts_every_rule_and_nulls() -> None:
    raw = {"min_notice_minutes": 120, "max_advance_days": 60, "buffer_before_minutes": 10,
           "buffer_after_minutes": 15, "daily_cap": 8, "change_cutoff_hours": 24}  # fmt: skip
    assert parse_booking_rules(raw) == raw
    assert parse_booking_rules({"daily_cap": None}) == {"daily_cap": None}
    assert parse_booking_rules(None) == {}


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"min_notice": 5}, "unknown rule"),
        ({"daily_cap": 0}, "between 1 and"),
        ({"min_notice_minutes": -1}, "between 0 and"),
        ({"max_advance_days": 2.5}, "whole number"),
        ({"max_advance_days": True}, "whole number"),
        ({"change_cutoff_hours": "24"}, "whole number"),
        (["daily_cap"], "expected an object"),
    ],
)
def test_parse_refuses_with_the_key_named(raw: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_booking_rules(raw)  # type: ignore[arg-type]


def test_service_values_override_the_tenant_key_by_key() -> None:
    merged = applied_rules(
        {"min_notice_minutes": 120, "daily_cap": 8, "buffer_after_minutes": 10},
        {"daily_cap": 3, "min_notice_minutes": None},
    )
    assert merged.min_notice == timedelta(0)  # the service cleared it
    assert merged.daily_cap == 3 and merged.cap_per_service
    assert merged.buffer_after == timedelta(minutes=10)
    tenant_cap = applied_rules({"daily_cap": 8})
    assert tenant_cap.daily_cap == 8 and not tenant_cap.cap_per_service


# --- each rule alone -------------------------------------------------------------------------


def test_minimum_notice() -> None:
    two_hours = rules(min_notice_minutes=120)
    assert refused(at("09:30"), rules=two_hours) == [NOTICE]
    assert refused(at("10:00"), rules=two_hours) == []
    assert earliest_start(NOW, two_hours) == at("10:00")
    assert refused(at("09:30")) == []  # no rule, no refusal


def test_how_far_ahead_counts_local_days() -> None:
    sixty = rules(max_advance_days=60)
    last_day = date(2030, 7, 1) + timedelta(days=60)
    assert refused(at("23:30", last_day), rules=sixty) == []
    assert refused(at("00:00", last_day + timedelta(days=1)), rules=sixty) == [ADVANCE]
    assert latest_start(NOW, LONDON, sixty) == at("00:00", last_day + timedelta(days=1))
    assert latest_start(NOW, LONDON, NO_RULES) is None
    today_only = rules(max_advance_days=0)
    assert refused(at("16:00"), rules=today_only) == []
    assert refused(at("09:00", date(2030, 7, 2)), rules=today_only) == [ADVANCE]


def test_buffers_take_the_larger_of_both_sides() -> None:
    haircut = BookedTime(at("10:00"), at("10:30"), "Haircut", buffer_after=timedelta(minutes=15))
    # The new booking has no buffer, the existing one keeps 15 minutes after itself.
    assert refused(at("10:30"), booked=[haircut]) == [BUFFER]
    assert refused(at("10:45"), booked=[haircut]) == []
    # The new booking's own 20 minutes before it are larger than the existing 15.
    before = rules(buffer_before_minutes=20)
    assert refused(at("10:45"), rules=before, booked=[haircut]) == [BUFFER]
    assert refused(at("10:50"), rules=before, booked=[haircut]) == []
    # Its buffer after keeps it away from a later booking.
    after = rules(buffer_after_minutes=10)
    assert refused(at("09:25"), rules=after, booked=[haircut]) == [BUFFER]
    assert refused(at("09:20"), rules=after, booked=[haircut]) == []
    # A real overlap is a clash (named by the caller), not a buffer refusal.
    assert refused(at("10:15"), rules=before, booked=[haircut]) == []


def test_padded_busy_widens_provider_busy_by_the_new_bookings_buffers_only() -> None:
    both = rules(buffer_before_minutes=5, buffer_after_minutes=10)
    padded = padded_busy([], [Busy(at("12:00"), at("13:00"))], both)
    assert padded == [Busy(at("11:50"), at("13:05"))]


def test_daily_cap_per_tenant_and_per_service() -> None:
    day = [BookedTime(at(f"{h:02d}:00"), at(f"{h:02d}:30"), service_id=1 if h < 12 else 2)
           for h in (9, 10, 11, 13)]  # fmt: skip
    assert refused(at("15:00"), rules=rules(daily_cap=4), booked=day) == [DAILY_CAP]
    assert refused(at("15:00"), rules=rules(daily_cap=5), booked=day) == []
    per_service = applied_rules({}, {"daily_cap": 3})
    assert refused(at("15:00"), rules=per_service, booked=day, service_id=1) == [DAILY_CAP]
    assert refused(at("15:00"), rules=per_service, booked=day, service_id=2) == []
    # Another day is not full.
    assert refused(at("15:00", date(2030, 7, 2)), rules=rules(daily_cap=4), booked=day) == []


def test_change_cutoff() -> None:
    day_before = rules(change_cutoff_hours=24)
    soon = change_refusal(event_start=NOW + timedelta(hours=23), now=NOW, rules=day_before)
    assert soon is not None and soon.rule == CHANGE_CUTOFF and "24 hours" in soon.reason
    assert change_refusal(event_start=NOW + timedelta(hours=24), now=NOW, rules=day_before) is None
    assert change_refusal(event_start=NOW + timedelta(hours=1), now=NOW, rules=NO_RULES) is None
    # A booking in the past is not the cut-off's business (the caller refuses past changes).
    assert change_refusal(event_start=NOW - timedelta(hours=1), now=NOW, rules=day_before) is None


# --- combinations ----------------------------------------------------------------------------


def test_several_rules_are_reported_together_in_order() -> None:
    strict = rules(min_notice_minutes=180, daily_cap=1, buffer_after_minutes=30)
    booked = [BookedTime(at("10:00"), at("10:30"))]
    assert refused(at("09:30"), rules=strict, booked=booked) == [NOTICE, DAILY_CAP, BUFFER]


def test_alternatives_satisfy_every_rule() -> None:
    hours = parse_business_hours(None)  # Mon-Fri 09:00-17:00
    strict = rules(min_notice_minutes=120, max_advance_days=1, buffer_after_minutes=15,
                   buffer_before_minutes=15, daily_cap=2)  # fmt: skip
    booked = [BookedTime(at("10:00"), at("11:00")), BookedTime(at("13:00"), at("14:00"))]
    # Monday is at its cap: everything must be on Tuesday (the last day open), not Wednesday.
    blocks = day_blocks(full_days(booked, LONDON, strict), LONDON)
    avoided = padded_busy(booked, [], strict) + blocks
    verdict = check_slot(
        start=at("09:00"), end=at("09:30"), busy=avoided, hours=hours, zone=LONDON, now=NOW,
        limit=3, earliest=earliest_start(NOW, strict), latest=latest_start(NOW, LONDON, strict),
        refused=True, horizon=timedelta(days=7),
    )  # fmt: skip
    starts = [slot.start for slot in verdict.alternatives]
    assert starts and all(s.date() == date(2030, 7, 2) for s in starts)
    assert all(not refused(s, rules=strict, booked=booked) for s in starts)


# --- DST days --------------------------------------------------------------------------------


def test_a_dst_day_is_one_day_for_caps_and_blocks() -> None:
    spring = date(2030, 3, 31)  # Europe/London: 01:00 -> 02:00, a 23-hour day
    block = day_blocks([spring], LONDON)[0]
    assert real(block) == timedelta(hours=23)
    autumn = date(2030, 10, 27)  # 02:00 -> 01:00, a 25-hour day
    block = day_blocks([autumn], LONDON)[0]
    assert real(block) == timedelta(hours=25)
    # Two bookings on the 25-hour day, one in each 01:xx: both count for that date.
    first = datetime(2030, 10, 27, 1, 30, tzinfo=LONDON)
    second = datetime(2030, 10, 27, 1, 30, fold=1, tzinfo=LONDON)
    booked = [BookedTime(first, first + 30 * MIN), BookedTime(second, second + 30 * MIN)]
    assert full_days(booked, LONDON, rules(daily_cap=2)) == frozenset({autumn})


def test_notice_is_absolute_time_across_the_spring_change() -> None:
    now = datetime(2030, 3, 31, 0, 30, tzinfo=LONDON)  # GMT, half an hour before the change
    two_hours = rules(min_notice_minutes=120)
    # 02:30 GMT would be 03:30 BST on the wall: 03:00 BST is only 1.5 real hours away.
    assert earliest_start(now, two_hours).astimezone(LONDON).strftime("%H:%M") == "03:30"
    assert refused(datetime(2030, 3, 31, 3, 0, tzinfo=LONDON), now=now, rules=two_hours) == [NOTICE]


def test_how_far_ahead_ends_at_local_midnight_across_a_change() -> None:
    now = datetime(2030, 10, 26, 12, 0, tzinfo=LONDON)  # BST; the next day is 25 hours long
    one_day = rules(max_advance_days=1)
    assert latest_start(now, LONDON, one_day) == datetime(2030, 10, 28, 0, 0, tzinfo=LONDON)
    late = datetime(2030, 10, 27, 23, 30, tzinfo=LONDON)
    assert refused(late, now=now, rules=one_day) == []
