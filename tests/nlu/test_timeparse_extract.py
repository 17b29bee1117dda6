from datetime import datetime, timedelta, timezone

import pytest

from nlu.timeparse import extract, warm_up
from tests.nlu.helpers import BOOK_REF, DUCK_REF, DUCK_TZ

BOOKING = "book a dentist appointment tomorrow at 3pm for 45 minutes"


def test_contract_example_booking_phrase():
    ents = extract(BOOKING, BOOK_REF, "Europe/London", bare_hour_policy="business_hours")
    assert [(e["entity"], e["text"]) for e in ents] == [
        ("time", "tomorrow at 3pm"),
        ("duration", "45 minutes"),
    ]
    t, d = ents
    assert (t["start"], t["end"]) == (27, 42)
    assert t["value"] == "2026-12-01T15:00:00.000+00:00"
    assert t["additional_info"] == {
        "type": "value",
        "grain": "hour",
        "value": "2026-12-01T15:00:00.000+00:00",
        "meridiem_assumed": False,
    }
    assert d["value"] == 2700 and d["additional_info"]["unit"] == "minute"


def test_interval_from_three_to_half_four():
    (ent,) = extract("from 3 to 4:30pm", BOOK_REF, "Europe/London")
    info = ent["additional_info"]
    assert info["type"] == "interval" and info["grain"] == "minute"
    assert info["from"] == "2026-11-30T15:00:00.000+00:00"
    assert info["to"] == "2026-11-30T16:31:00.000+00:00"
    assert info["end"] == "2026-11-30T16:30:00.000+00:00"
    assert ent["value"] == info["from"]


def test_next_friday_at_ten():
    (ent,) = extract("next friday at 10", BOOK_REF, "Europe/London",
                     bare_hour_policy="business_hours")  # fmt: skip
    assert ent["value"] == "2026-12-11T10:00:00.000+00:00"  # Friday of next week
    assert ent["additional_info"]["meridiem_assumed"] is True


def test_bare_hour_policies():
    (biz,) = extract("at 5", BOOK_REF, "Europe/London", bare_hour_policy="business_hours")
    assert biz["value"] == "2026-11-30T17:00:00.000+00:00"
    assert biz["additional_info"]["meridiem_assumed"] is True
    (duck,) = extract("at 5", DUCK_REF, DUCK_TZ, bare_hour_policy="next")
    assert duck["value"] == "2013-02-12T05:00:00.000-02:00"
    (pm,) = extract("at 5pm", BOOK_REF, "Europe/London", bare_hour_policy="business_hours")
    assert pm["additional_info"]["meridiem_assumed"] is False


def test_day_grain_and_duration():
    (day,) = extract("tomorrow", BOOK_REF, "Europe/London")
    assert day["additional_info"]["grain"] == "day"
    assert day["value"] == "2026-12-01T00:00:00.000+00:00"
    (dur,) = extract("an hour and a half", BOOK_REF, "Europe/London")
    assert dur["entity"] == "duration" and dur["value"] == 5400


def test_for_is_a_duration_in_is_a_time():
    (d,) = extract("for 45 minutes", BOOK_REF, "Europe/London")
    (t,) = extract("in 45 minutes", BOOK_REF, "Europe/London")
    assert d["entity"] == "duration" and d["text"] == "45 minutes"
    assert t["entity"] == "time" and t["value"] == "2026-11-30T09:45:00.000+00:00"


def test_dst_offsets_follow_the_zone():
    ref = datetime(2026, 3, 28, 12, tzinfo=timezone.utc)
    (ent,) = extract("tomorrow at 3pm", ref, "Europe/London")
    assert ent["value"] == "2026-03-29T15:00:00.000+01:00"


def test_fixed_offset_zone_and_naive_reftime():
    (ent,) = extract("at noon", datetime(2026, 1, 5, 9), "+05:30")
    assert ent["value"] == "2026-01-05T12:00:00.000+05:30"


def test_spans_are_exact_and_sorted():
    text = "Call me Monday, Feb 18 at 3:15pm or tomorrow 9-11am for an hour!"
    ents = extract(text, DUCK_REF, DUCK_TZ)
    assert [e["start"] for e in ents] == sorted(e["start"] for e in ents)
    assert all(text[e["start"] : e["end"]] == e["text"] for e in ents)
    assert [e["text"] for e in ents] == ["Monday, Feb 18 at 3:15pm", "tomorrow 9-11am",
                                         "an hour"]  # fmt: skip


def test_dims_filter():
    ents = extract(BOOKING, BOOK_REF, "Europe/London", dims=("duration",))
    assert [e["entity"] for e in ents] == ["duration"]


@pytest.mark.parametrize(
    "text", ["laughing out loud", "1 adult", "this one", "Pay ABC 2000", "at 650-650-6500"]
)
def test_negatives(text):
    assert extract(text, DUCK_REF, DUCK_TZ) == []


def test_deadline_returns_partial_result_quickly():
    long_text = " ".join(["tomorrow at 3pm"] * 200)
    assert extract(long_text, BOOK_REF, "Europe/London", deadline_ms=0) == []
    assert len(extract(long_text, BOOK_REF, "Europe/London", deadline_ms=5000)) == 200


def test_bad_arguments():
    with pytest.raises(ValueError):
        extract("x", BOOK_REF, "Nowhere/Land")
    with pytest.raises(ValueError):
        extract("x", BOOK_REF, "UTC", bare_hour_policy="sometimes")


def test_warm_up_runs():
    warm_up()


def test_reference_in_another_zone_is_converted():
    ref = datetime(2026, 11, 30, 23, 30, tzinfo=timezone(timedelta(hours=-8)))
    (ent,) = extract("today", ref, "Europe/London")
    assert ent["value"] == "2026-12-01T00:00:00.000+00:00"


def test_for_prefers_a_duration_reading():
    (ent,) = extract("for 1h30", BOOK_REF, "Europe/London")
    assert ent["entity"] == "duration" and ent["value"] == 5400
    (clock,) = extract("3h18", DUCK_REF, DUCK_TZ)
    assert clock["entity"] == "time"


def test_long_chat_message_is_fast_and_right():
    text = (
        "Hi, could I book my son in next Tuesday afternoon around 3, or Wednesday morning "
        "between 9 and 11? It takes about 45 minutes. We live at 221B Baker Street, flat 3."
    )
    ents = extract(text, BOOK_REF, "Europe/London", bare_hour_policy="business_hours",
                   deadline_ms=50)  # fmt: skip
    assert [e["text"] for e in ents] == [
        "next Tuesday afternoon around 3",
        "Wednesday morning between 9 and 11",
        "45 minutes",
    ]
