from datetime import datetime, timezone

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu.time_extractor import TimeEntityExtractor, reference_time

REF = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc).timestamp()


@pytest.fixture()
def component(monkeypatch):
    monkeypatch.delenv("DUCKLING_URL", raising=False)
    monkeypatch.delenv("DEFAULT_TIMEZONE", raising=False)
    monkeypatch.delenv("DEFAULT_LOCALE", raising=False)
    return TimeEntityExtractor(TimeEntityExtractor.get_default_config())


def test_default_config():
    cfg = TimeEntityExtractor.get_default_config()
    assert cfg["dimensions"] == ["time", "duration"]
    assert cfg["bare_hour_policy"] == "business_hours"
    assert cfg["url"] is None and cfg["timeout"] == 3 and "deadline_ms" in cfg


def test_process_appends_entities(component):
    title = {"entity": "event_title", "value": "x"}
    msg = Message(data={"text": "book tomorrow at 5 for 45 minutes", "entities": [title]}, time=REF)
    component.process([msg])
    ents = msg.get("entities")
    assert ents[0]["entity"] == "event_title"
    time_ent, dur = ents[1:]
    assert time_ent["value"] == "2026-12-01T17:00:00.000+00:00"
    assert time_ent["additional_info"]["meridiem_assumed"] is True
    assert time_ent["extractor"] == "TimeEntityExtractor"
    assert dur["value"] == 2700


def test_metadata_zone_and_locale_override(component):
    msg = Message(data={"text": "3/4 at 10am",
                        "metadata": {"timezone": "America/New_York", "locale": "en_US"}},
                  time=REF)  # fmt: skip
    component.process([msg])
    (ent,) = msg.get("entities")
    assert ent["value"] == "2027-03-04T10:00:00.000-05:00"


def test_bad_metadata_zone_is_ignored(component):
    msg = Message(data={"text": "today", "metadata": {"timezone": "Nowhere/Land"}}, time=REF)
    component.process([msg])
    assert msg.get("entities")[0]["value"] == "2026-11-30T00:00:00.000+00:00"


def test_environment_defaults(monkeypatch):
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Asia/Tokyo")
    monkeypatch.setenv("DEFAULT_LOCALE", "en_US")
    monkeypatch.delenv("DUCKLING_URL", raising=False)
    comp = TimeEntityExtractor({})
    assert (comp.timezone, comp.locale, comp.duckling) == ("Asia/Tokyo", "en_US", None)
    monkeypatch.setenv("DUCKLING_URL", "http://127.0.0.1:9")
    assert TimeEntityExtractor({}).duckling is not None


def test_create_warms_up_and_empty_text(component):
    comp = TimeEntityExtractor.create({}, None, None, None)  # type: ignore[arg-type]
    msg = Message(data={"text": ""})
    comp.process([msg])
    assert msg.get("entities", []) == []


def test_reference_time():
    assert reference_time(Message(data={}, time=REF)).year == 2026
    assert reference_time(Message(data={}, time="2026-11-30T09:00:00Z")).hour == 9
    assert reference_time(Message(data={})).tzinfo is not None


def test_bad_policy_rejected():
    with pytest.raises(ValueError):
        TimeEntityExtractor({"bare_hour_policy": "never"})
