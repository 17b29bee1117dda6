from datetime import date, datetime
from zoneinfo import ZoneInfo

from nlu.timeparse.calendar import (
    Ctx,
    add_grain,
    add_months,
    at,
    finer,
    grain_below,
    shift,
    truncate,
    valid_date,
)

LONDON = ZoneInfo("Europe/London")


def test_add_months_clamps_day():
    assert add_months(datetime(2024, 1, 31), 1) == datetime(2024, 2, 29)
    assert add_months(datetime(2024, 11, 15), 3) == datetime(2025, 2, 15)


def test_truncate_and_add_grain():
    d = datetime(2026, 11, 26, 15, 45, 12)
    assert truncate(d, "hour") == datetime(2026, 11, 26, 15)
    assert truncate(d, "week") == datetime(2026, 11, 23)
    assert truncate(d, "quarter") == datetime(2026, 10, 1)
    assert add_grain(datetime(2026, 1, 31), "month") == datetime(2026, 2, 28)


def test_shift_uses_elapsed_time_across_dst():
    ctx = Ctx(datetime(2026, 3, 29, 0, 30), LONDON)
    # clocks go forward at 01:00 -> two hours later is 03:30 wall time
    assert shift(ctx, ctx.ref, 2, "hour") == datetime(2026, 3, 29, 3, 30)
    assert shift(ctx, ctx.ref, 1, "day") == datetime(2026, 3, 30, 0, 30)


def test_grain_helpers():
    assert finer("hour", "minute") == "minute"
    assert grain_below("hour") == "minute"
    assert valid_date(2025, 2, 29) is None
    assert at(date(2026, 1, 1), 24) == datetime(2026, 1, 2)
