"""scripts/evaluate/sgd_turns.py: which turns are scored, what the form takes from a parse, and
the judging (no model: parses are written by hand)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from scripts.evaluate import sgd_turns
from scripts.evaluate.assistant import ZONE, frozen_clock, reference


def inform(slot: str, value: str) -> dict:
    return {"act": "INFORM", "slot": slot, "values": [value], "canonical_values": [value]}


TURNS = [
    {"text": "I need a dentist.", "intent": "FindProvider", "dialogue_id": "d1",
     "turn_index": 0, "service": "Services_2", "actions": []},
    {"text": "March 7th at 3 pm please", "intent": "BookAppointment", "dialogue_id": "d1",
     "turn_index": 2, "service": "Services_2",
     "actions": [inform("appointment_date", "2019-03-07"), inform("appointment_time", "15:00")]},
    {"text": "Yes book it", "intent": "BookAppointment", "dialogue_id": "d2", "turn_index": 0,
     "service": "Services_1", "actions": []},
]  # fmt: skip


def time_entity(text: str, start: int, value: str, grain: str) -> dict:
    return {"entity": "time", "start": start, "end": start + len(text), "text": text,
            "value": value, "additional_info": {"type": "value", "grain": grain,
                                                "value": value}}  # fmt: skip


PARSES = {
    "I need a dentist.": {"intent": {"name": "schedule_event"}, "entities": [
        {"entity": "event_title", "start": 9, "end": 16, "value": "dentist"}]},
    "March 7th at 3 pm please": {"intent": {"name": "inform"}, "entities": [
        time_entity("March 7th at 3 pm", 0, "2019-03-07T15:00:00.000+00:00", "hour")]},
}  # fmt: skip


def test_cases_to_parse_and_dialogues_without_the_service() -> None:
    todo, unnamed = sgd_turns.cases_to_parse(TURNS)
    assert todo == [
        ("event_date", "March 7th at 3 pm please", "2019-03-07", "BookAppointment"),
        ("event_time", "March 7th at 3 pm please", "15:00", "BookAppointment"),
        ("event_title", "I need a dentist.", "Services_2", "FindProvider"),
    ]
    assert unnamed == 1


def test_the_form_reads_the_parse_at_the_frozen_clock() -> None:
    async def values() -> list:
        parse = {"text": "March 7th at 3 pm please", **PARSES["March 7th at 3 pm please"]}
        title = {"text": "I need a dentist.", **PARSES["I need a dentist."]}
        return [
            await sgd_turns.form_value("event_date", parse, ZONE),
            await sgd_turns.form_value("event_time", parse, ZONE),
            await sgd_turns.form_value("event_title", title, ZONE),
        ]  # fmt: skip

    with frozen_clock(reference()):
        assert asyncio.run(values()) == ["2019-03-07", "15:00", "Dentist"]


def test_judge() -> None:
    assert sgd_turns.judge("event_date", "2019-03-07", "2019-03-07")
    assert not sgd_turns.judge("event_time", "15:00", "03:00")
    assert sgd_turns.judge("event_title", "Services_2", "Dentist")
    assert not sgd_turns.judge("event_title", "Services_2", "Appointment")
    assert not sgd_turns.judge("event_title", "Services_2", None)


def test_run_with_hand_written_parses(tmp_path: Path) -> None:
    (tmp_path / "sgd_services").mkdir()
    (tmp_path / "sgd_services" / "user_turns.jsonl").write_text(
        "".join(json.dumps(t) + "\n" for t in TURNS)
    )

    async def parse(texts: list[str]) -> list[dict]:
        return [{"text": t, **PARSES[t]} for t in texts]

    failures = tmp_path / "out" / "f.jsonl"
    with frozen_clock(reference()):
        row = asyncio.run(sgd_turns.run(tmp_path, parse, ZONE, failures))
    got = {f.key: (f.ok, f.n) for f in row.figures}
    assert got["sgd_turns.date"] == (1, 1) and got["sgd_turns.time"] == (1, 1)
    assert got["sgd_turns.title"] == (1, 1)
    assert got["sgd_turns.title:sgd_FindProvider"] == (1, 1)
    assert any("1 dialogues never name" in n for n in row.notes)
    assert failures.read_text() == ""


def test_missing_data_skips(tmp_path: Path) -> None:
    assert "not found" in str(asyncio.run(sgd_turns.run(tmp_path, None, ZONE)).skipped)
