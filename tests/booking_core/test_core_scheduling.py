"""scheduling: business hours, clashes and nearest free slots, with fixed times and DST."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core.scheduling import (
    DEFAULT_CLASH_LABEL,
    Busy,
    check_slot,
    clash_labels,
    free_slots,
    opening_windows,
    parse_business_hours,
    subtract,
    within_hours,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc
OFFICE = parse_business_hours(None)


def at(day: str, hhmm: str, zone: ZoneInfo = LONDON) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=zone)


def hm(values: list[datetime]) -> list[str]:
    return [v.strftime("%a %d %H:%M%z") for v in values]


def test_default_hours_are_weekday_office_hours() -> None:
    assert parse_business_hours({}) == OFFICE
    assert OFFICE[0] == ((9 * 60, 17 * 60),)
    assert OFFICE[5] == () and OFFICE[6] == ()


def test_hours_formats_and_merging() -> None:
    hours = parse_business_hours(
        {
            "Monday": ["08:30", "12:00"],
            "mon": [["11:00", "13:00"], ["14:00", "24:00"]],
            "sat": [],
            "sun": None,
        }
    )
    assert hours[0] == ((510, 780), (840, 1440))
    assert hours[1] == () and hours[5] == () and hours[6] == ()


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"funday": ["09:00", "17:00"]}, "unknown day"),
        ({"mon": ["9am", "17:00"]}, "HH:MM"),
        ({"mon": ["17:00", "09:00"]}, "not after"),
        ({"mon": ["09:00"]}, "open, close"),
        ({"mon": "09:00-17:00"}, "expected a list"),
        ({"mon": ["09:00", "24:30"]}, "HH:MM|after 24:00"),
        ({"mon": ["9:00", "17:00"]}, "HH:MM"),  # two-digit hours, as the admin API asks
    ],
)
def test_invalid_hours_are_refused(raw: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse_business_hours(raw)


def test_opening_keeps_wall_clock_across_spring_forward() -> None:
    # Clocks go forward in London on Sunday 29 March 2026.
    windows = opening_windows(OFFICE, LONDON, at("2026-03-27", "00:00"), at("2026-03-31", "00:00"))
    assert [(s.isoformat(), e.isoformat()) for s, e in windows] == [
        ("2026-03-27T09:00:00+00:00", "2026-03-27T17:00:00+00:00"),  # Friday, GMT
        ("2026-03-30T08:00:00+00:00", "2026-03-30T16:00:00+00:00"),  # Monday 09:00 BST
    ]


def test_round_the_clock_days_merge_and_have_dst_lengths() -> None:
    always = parse_business_hours({day: ["00:00", "24:00"] for day in ("sat", "sun", "mon")})
    spring = opening_windows(always, LONDON, at("2026-03-29", "00:00"), at("2026-03-29", "23:00"))
    assert len(spring) == 1  # Sat+Sun+Mon merged into one period
    start, end = spring[0]
    assert start == at("2026-03-28", "00:00") and end == at("2026-03-31", "00:00")
    assert end - start == timedelta(hours=71)  # the spring-forward day has 23 hours
    autumn = opening_windows(always, LONDON, at("2026-10-25", "00:00"), at("2026-10-25", "23:00"))
    assert autumn[0][1] - autumn[0][0] == timedelta(hours=73)  # the fall-back day has 25


def test_nonexistent_opening_time_starts_after_the_gap() -> None:
    hours = parse_business_hours({"sun": ["01:30", "05:00"]})
    (start, end), *_ = opening_windows(
        hours, LONDON, at("2026-03-29", "00:00"), at("2026-03-29", "12:00")
    )
    assert start == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST, just after the gap
    assert end == datetime(2026, 3, 29, 4, 0, tzinfo=UTC)  # 05:00 BST


def test_within_hours() -> None:
    assert within_hours(OFFICE, LONDON, at("2026-07-01", "09:00"), at("2026-07-01", "17:00"))
    assert not within_hours(OFFICE, LONDON, at("2026-07-01", "16:30"), at("2026-07-01", "17:30"))
    assert not within_hours(OFFICE, LONDON, at("2026-07-04", "10:00"), at("2026-07-04", "11:00"))
    # 09:00 London in summer is 04:00 New York: same instant, zone-independent verdict.
    assert within_hours(
        OFFICE, LONDON, at("2026-07-01", "04:00", NEW_YORK), at("2026-07-01", "05:00", NEW_YORK)
    )


def test_clash_labels_and_subtract() -> None:
    busy = [
        Busy(at("2026-07-01", "10:00"), at("2026-07-01", "11:00"), "Dentist"),
        Busy(at("2026-07-01", "10:30"), at("2026-07-01", "12:00")),
        Busy(at("2026-07-01", "11:00"), at("2026-07-01", "11:30")),
        Busy(at("2026-07-01", "12:00"), at("2026-07-01", "13:00"), "Lunch"),  # touches only
    ]
    assert clash_labels(busy, at("2026-07-01", "10:45"), at("2026-07-01", "12:00")) == (
        "Dentist",
        DEFAULT_CLASH_LABEL,
    )
    remaining = subtract(
        [(at("2026-07-01", "09:00"), at("2026-07-01", "12:00"))],
        [(at("2026-07-01", "10:00"), at("2026-07-01", "10:30"))],
    )
    assert remaining == [
        (at("2026-07-01", "09:00"), at("2026-07-01", "10:00")),
        (at("2026-07-01", "10:30"), at("2026-07-01", "12:00")),
    ]


def test_free_slot_is_free() -> None:
    check = check_slot(
        start=at("2026-07-01", "14:00"),
        end=at("2026-07-01", "15:00"),
        busy=[Busy(at("2026-07-01", "10:00"), at("2026-07-01", "11:00"))],
        hours=OFFICE,
        zone=LONDON,
        now=at("2026-06-30", "12:00"),
    )
    assert check.free and check.alternatives == ()
    assert check.start.utcoffset() == timedelta(hours=1)


def test_clash_offers_three_nearest_distinct_slots() -> None:
    busy = [
        Busy(at("2026-07-01", "10:00"), at("2026-07-01", "10:40"), "Haircut"),
        Busy(at("2026-07-01", "11:45"), at("2026-07-01", "13:00")),
    ]
    check = check_slot(
        start=at("2026-07-01", "10:00"),
        end=at("2026-07-01", "11:00"),
        busy=busy,
        hours=OFFICE,
        zone=LONDON,
        now=at("2026-07-01", "08:00"),
    )
    assert not check.free and check.clashes == ("Haircut",)
    # Nearest first: right after (10:40, not the 11:00 grid point), right before (09:00), and
    # after the next busy period; 10:45-11:45 also fits but overlaps the 10:40 option.
    assert hm([s.start for s in check.alternatives]) == [
        "Wed 01 10:40+0100",
        "Wed 01 09:00+0100",
        "Wed 01 13:00+0100",
    ]
    assert all(s.end - s.start == timedelta(hours=1) for s in check.alternatives)


def test_alternatives_are_never_in_the_past() -> None:
    check = check_slot(
        start=at("2026-07-01", "10:00"),
        end=at("2026-07-01", "11:00"),
        busy=[Busy(at("2026-07-01", "10:00"), at("2026-07-01", "11:00"))],
        hours=OFFICE,
        zone=LONDON,
        now=at("2026-07-01", "09:50"),
    )
    assert all(s.start >= at("2026-07-01", "09:50") for s in check.alternatives)
    assert hm([s.start for s in check.alternatives]) == [
        "Wed 01 11:00+0100",
        "Wed 01 12:00+0100",
        "Wed 01 13:00+0100",
    ]


def test_past_and_outside_hours_requests() -> None:
    past = check_slot(
        start=at("2026-07-01", "10:00"),
        end=at("2026-07-01", "10:30"),
        busy=[],
        hours=OFFICE,
        zone=LONDON,
        now=at("2026-07-01", "12:10"),
    )
    assert past.in_past and not past.free and past.clashes == ()
    assert hm([s.start for s in past.alternatives]) == [
        "Wed 01 12:30+0100",
        "Wed 01 13:00+0100",
        "Wed 01 13:30+0100",
    ]
    evening = check_slot(
        start=at("2026-07-03", "18:00"),  # a Friday evening
        end=at("2026-07-03", "19:00"),
        busy=[],
        hours=OFFICE,
        zone=LONDON,
        now=at("2026-07-01", "12:00"),
    )
    assert evening.outside_hours and not evening.free
    assert hm([s.start for s in evening.alternatives]) == [
        "Fri 03 16:00+0100",
        "Fri 03 15:00+0100",
        "Fri 03 14:00+0100",
    ]


def test_alternatives_across_spring_forward_weekend() -> None:
    # Friday 27 March 2026 is full after 10:00; the next free hour is Monday after the change.
    busy = [Busy(at("2026-03-27", "10:00"), at("2026-03-27", "17:00"))]
    check = check_slot(
        start=at("2026-03-27", "16:00"),
        end=at("2026-03-27", "17:00"),
        busy=busy,
        hours=OFFICE,
        zone=LONDON,
        now=at("2026-03-27", "10:00"),
    )
    assert check.clashes == (DEFAULT_CLASH_LABEL,)
    starts = [s.start for s in check.alternatives]
    assert hm(starts) == ["Mon 30 09:00+0100", "Mon 30 10:00+0100", "Mon 30 11:00+0100"]
    assert starts[0].astimezone(UTC) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_alternatives_across_fall_back() -> None:
    # Clocks go back on Sunday 25 October 2026; Monday 09:00 is GMT again (09:00Z).
    busy = [Busy(at("2026-10-23", "09:00"), at("2026-10-23", "17:00"))]
    slots = free_slots(
        busy=busy,
        hours=OFFICE,
        zone=LONDON,
        duration=timedelta(minutes=30),
        around=at("2026-10-23", "16:30"),
        now=at("2026-10-23", "09:00"),
        limit=1,
    )
    assert [s.start.isoformat() for s in slots] == ["2026-10-26T09:00:00+00:00"]


def test_full_day_falls_back_to_overlapping_options() -> None:
    hours = parse_business_hours({"wed": ["09:00", "10:30"]})
    slots = free_slots(
        busy=[],
        hours=hours,
        zone=LONDON,
        duration=timedelta(hours=1),
        around=at("2026-07-01", "12:00"),
        now=at("2026-07-01", "08:00"),
        horizon=timedelta(hours=12),
    )
    assert hm([s.start for s in slots]) == ["Wed 01 09:30+0100", "Wed 01 09:00+0100"]


def test_closed_business_gives_no_alternatives() -> None:
    closed = parse_business_hours({"mon": []})
    check = check_slot(
        start=at("2026-07-01", "10:00"),
        end=at("2026-07-01", "11:00"),
        busy=[],
        hours=closed,
        zone=LONDON,
        now=at("2026-06-01", "10:00"),
    )
    assert check.outside_hours and check.alternatives == ()


def test_short_slots_use_quarter_hours() -> None:
    slots = free_slots(
        busy=[Busy(at("2026-07-01", "09:00"), at("2026-07-01", "09:50"))],
        hours=OFFICE,
        zone=LONDON,
        duration=timedelta(minutes=15),
        around=at("2026-07-01", "09:00"),
        now=at("2026-07-01", "08:00"),
    )
    assert hm([s.start for s in slots]) == [
        "Wed 01 09:50+0100",
        "Wed 01 10:15+0100",
        "Wed 01 10:30+0100",
    ]


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check_slot(
            start=datetime(2026, 7, 1, 10),
            end=datetime(2026, 7, 1, 11),
            busy=[],
            hours=OFFICE,
            zone=LONDON,
            now=at("2026-07-01", "08:00"),
        )
