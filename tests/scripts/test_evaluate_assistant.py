"""scripts/evaluate/assistant.py: the frozen clock and the in-process action endpoint (no
model needed: the endpoint is called the way Rasa's RemoteAction calls it)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

import actions.context
import booking_core.availability
import nlu.time_extractor
from scripts.evaluate import assistant


def test_reference_is_sgds_friday_morning_in_the_tenant_zone() -> None:
    ref = assistant.reference()
    assert (ref.isoformat(), ref.strftime("%A")) == ("2019-03-01T09:00:00+00:00", "Friday")


def test_frozen_clock_sets_every_clock_and_restores_them() -> None:
    before = (nlu.time_extractor.reference_time, nlu.time_extractor.extract,
              actions.context.utc_now, booking_core.availability.utcnow)  # fmt: skip
    now = datetime(2019, 3, 1, 9, tzinfo=timezone.utc)
    with assistant.frozen_clock(now):
        assert nlu.time_extractor.reference_time(object()) == now  # type: ignore[arg-type]
        assert actions.context.utc_now() == now and booking_core.availability.utcnow() == now
        found = nlu.time_extractor.extract("tomorrow at 3pm", now, "Europe/London")
        assert found[0]["value"].startswith("2019-03-02T15:00")
    after = (nlu.time_extractor.reference_time, nlu.time_extractor.extract,
             actions.context.utc_now, booking_core.availability.utcnow)  # fmt: skip
    assert after == before


def call(name: str, slots: dict, intent: str = "stop") -> dict:
    """The body Rasa's RemoteAction posts (the parts the actions read)."""
    return {
        "next_action": name,
        "sender_id": "default:rest:someone",
        "tracker": {"sender_id": "default:rest:someone", "slots": slots,
                    "latest_message": {"text": "stop", "intent": {"name": intent},
                                       "entities": []},
                    "events": [], "paused": False, "followup_action": None,
                    "active_loop": {}, "latest_action_name": "action_listen"},
        "domain": {},
        "version": "3.6.21",
    }  # fmt: skip


def test_in_process_actions_answer_like_the_action_server() -> None:
    endpoint = assistant.in_process_actions()
    body = call("action_cancel_booking", {"event_title": "Dentist"})
    answer = asyncio.run(endpoint.request(json=body, method="post", timeout=10))
    assert answer["responses"][0]["response"] == "utter_booking_stopped"
    assert {"event": "slot", "name": "event_title", "value": None, "timestamp": None} in (
        answer["events"]
    )


def test_unknown_actions_fail_as_in_rasa_sdk() -> None:
    from rasa_sdk.interfaces import ActionNotFoundException

    endpoint = assistant.in_process_actions()
    with pytest.raises(ActionNotFoundException):
        asyncio.run(endpoint.request(json=call("action_nope", {})))
