"""scripts/evaluate/dialogues.py: judging a played dialogue, the guard's subset, reading the
bookings back; and one short hand-written dialogue played against the real model."""

from __future__ import annotations

import asyncio
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scripts.evaluate import assistant, dialogues
from scripts.evaluate.customer import Customer
from scripts.evaluate.dialogues import Booked, Played, verdict
from scripts.evaluate.sgd import Goal

GOAL = Goal(
    dialogue_id="hand_001",
    service="Services_2",
    date=date(2019, 3, 7),
    time="15:30",
    opening="I need to see a dentist",
    title_words=("I need to see a dentist",),
    date_words=("next Thursday please",),
    time_words=("half past 3 in the afternoon",),
)
RIGHT = Booked("Dentist", "2019-03-07", "15:30", "confirmed")


@pytest.mark.parametrize(
    ("booked", "expected"),
    [
        ([RIGHT], "ok"),
        ([], "no booking"),
        ([RIGHT, RIGHT], "2 bookings"),
        ([Booked("Dentist", "2019-03-08", "15:30", "confirmed")], "wrong day"),
        ([Booked("Dentist", "2019-03-07", "03:30", "pending")], "wrong time"),
        ([Booked("Visit", "2019-03-07", "15:30", "confirmed")],
         "title does not name the service"),
    ],
)  # fmt: skip
def test_verdict(booked: list[Booked], expected: str) -> None:
    assert verdict(GOAL, booked) == expected


def test_subset_is_every_step_th_from_the_first() -> None:
    goals = [GOAL] * 10
    assert len(dialogues.subset(goals, 4)) == 3 and len(dialogues.subset(goals, 1)) == 10


def test_score_counts_per_service_and_notes_the_reasons() -> None:
    other = Goal(**{**GOAL.__dict__, "service": "Services_1", "dialogue_id": "hand_002"})
    helped = Customer(GOAL, misread={"date"})
    results = [
        Played(GOAL, booked=[RIGHT], customer=Customer(GOAL)),
        Played(GOAL, booked=[RIGHT], customer=helped),
        Played(other, booked=[], customer=Customer(other)),
    ]
    assert results[1].verdict == "booked after correcting a misreading"
    figures, notes = dialogues.score(results, 1)
    assert [(f.key, f.ok, f.n) for f in figures] == [
        ("dialogues.success", 1, 3),
        ("dialogues.success_corrected", 2, 3),
        ("dialogues.success:Services_1", 0, 1),
        ("dialogues.success:Services_2", 1, 2),
    ]
    assert notes[0] == ("not booked as asked: booked after correcting a misreading 1, no booking 1")
    assert "every 4th" in dialogues.score(results, 4)[0][0].label


def test_transcript_and_shown() -> None:
    answer = [{"text": "Shall I book it?", "buttons": [{"title": "Yes"}, {"title": "No"}]}]
    assert dialogues.shown(answer) == "Shall I book it? [Yes | No]"
    assert dialogues.shown([]) == "(nothing)"
    played = Played(GOAL, lines=["customer:  hi"], booked=[RIGHT])
    text = dialogues.transcript(played)
    assert "goal 2019-03-07 15:30" in text and "verdict: ok" in text and "customer:  hi" in text


def test_bookings_are_read_back_in_the_tenant_zone_and_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from booking_core.booking import submit_booking
    from booking_core.db.session import dispose_engines
    from booking_core.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", "unset")  # restored afterwards; fresh_database sets it
    monkeypatch.setenv("DEFAULT_TIMEZONE", "UTC")
    url = assistant.fresh_database(tmp_path)
    try:
        zone = ZoneInfo(assistant.ZONE)
        submit_booking(
            tenant_slug="default",
            channel="rest",
            platform_user_id="sgd-x",
            display_name=None,
            title="Dentist",
            start=datetime(2019, 3, 7, 15, 30, tzinfo=zone),
            end=datetime(2019, 3, 7, 16, tzinfo=zone),
            timezone=assistant.ZONE,
        )
        assert dialogues.bookings_of("sgd-x", assistant.ZONE) == [
            Booked("Dentist", "2019-03-07", "15:30", "confirmed")
        ]
        assert dialogues.bookings_of("sgd-x", assistant.ZONE) == []  # cancelled once read
        assert dialogues.bookings_of("nobody", assistant.ZONE) == []
    finally:
        dispose_engines(url)
        get_settings.cache_clear()


@pytest.mark.slow
def test_the_customer_books_a_hand_written_dialogue_with_the_real_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not assistant.MODEL.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("models/booking.tar.gz is missing: `make train` must run first")
        pytest.skip("no trained model (run `make train`)")
    from booking_core.db.session import dispose_engines
    from booking_core.settings import get_settings

    for name in ("DATABASE_URL", "DEFAULT_TIMEZONE", "DUCKLING_URL"):
        monkeypatch.setenv(name, "unset")  # restored afterwards; the evaluation sets them
    url = assistant.fresh_database(tmp_path)
    try:
        agent = assistant.load_agent()
        with assistant.frozen_clock(assistant.reference()):
            played = asyncio.run(dialogues.play(agent, GOAL, assistant.ZONE))
    finally:
        dispose_engines(url)
        get_settings.cache_clear()
    assert played.verdict == "ok", dialogues.transcript(played)
    assert played.customer is not None and played.customer.outcome == "booked"
