from datetime import datetime
from zoneinfo import ZoneInfo

from nlu.timeparse.calendar import Ctx
from nlu.timeparse.duration import Dur
from nlu.timeparse.model import Span, Value
from nlu.timeparse.output import duration_entity, iso, time_entity

CTX = Ctx(datetime(2026, 3, 28, 9), ZoneInfo("Europe/London"))


def test_iso_has_dst_offset():
    assert iso(CTX, datetime(2026, 3, 28, 15)) == "2026-03-28T15:00:00.000+00:00"
    assert iso(CTX, datetime(2026, 3, 29, 15)) == "2026-03-29T15:00:00.000+01:00"


def test_time_entity_shapes():
    text = "see you tomorrow"
    ent = time_entity(CTX, text, 8, 16, Value(datetime(2026, 3, 29), "day"))
    assert ent["text"] == "tomorrow" and ent["extractor"] == "TimeEntityExtractor"
    assert ent["additional_info"] == {
        "type": "value",
        "grain": "day",
        "value": "2026-03-29T00:00:00.000+00:00",
        "meridiem_assumed": False,
    }
    span = Span(datetime(2026, 3, 28, 15), datetime(2026, 3, 28, 16, 31), "minute")
    info = time_entity(CTX, "3-4:30", 0, 6, span)["additional_info"]
    assert info["end"] == "2026-03-28T16:30:00.000+00:00"
    assert info["to"] == "2026-03-28T16:31:00.000+00:00"


def test_duration_entity_shape():
    ent = duration_entity("for 45 minutes", 4, 14, Dur(((45, "minute"),)))
    assert ent["value"] == 2700
    assert ent["additional_info"] == {
        "value": 45,
        "unit": "minute",
        "normalized": {"value": 2700, "unit": "second"},
    }


def test_interval_says_what_kind_it_is():
    after = time_entity(CTX, "after 4pm", 0, 9, Span(datetime(2026, 3, 28, 16), None, "hour"))
    assert after["additional_info"]["open"] == "after" and after["value"] is not None
    before = time_entity(CTX, "before noon", 0, 11, Span(None, datetime(2026, 3, 28, 12), "hour"))
    assert before["additional_info"]["open"] == "before" and before["value"] is None
    pod = Span(datetime(2026, 3, 28, 12), datetime(2026, 3, 28, 19), "hour", pod="afternoon")
    info = time_entity(CTX, "this afternoon", 0, 14, pod)["additional_info"]
    assert (info["open"], info["part_of_day"], info["period"]) == (None, "afternoon", None)
