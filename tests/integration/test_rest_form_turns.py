"""The form's turns over the REST channel against the real model and actions (`make run` setup).

Each test is one class of failure seen with other people's sentences (issue 16): a title
answer the classifier files elsewhere, a part of day, an availability question mid-form, a
typed pick, a new request mid-form, a bare time after a day said earlier, fallbacks and
another language.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from tests.integration.test_rest_booking import say, texts

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def assistant(embedded_assistant: dict[str, Any]) -> dict[str, Any]:
    return {**embedded_assistant, "run": uuid.uuid4().hex[:8], "google": None}


def _next_wednesday() -> datetime:
    today = datetime.now(LONDON).date()
    day = today + timedelta(days=7 - today.weekday() + 2)
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)


def _next_tuesday() -> datetime:
    """Bookings of this module go on next week's Tuesday, which no other test books (the
    embedded cluster's database is shared by the session's end-to-end tests)."""
    today = datetime.now(LONDON).date()
    day = today + timedelta(days=7 - today.weekday() + 1)
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for m in messages for b in m.get("buttons", [])]


@pytest.mark.parametrize(
    "title", ["Piano recital", "Coffee with the landlord", "Jazz night with Sam"]
)
def test_a_title_answer_is_taken_whatever_the_intent(assistant: dict[str, Any], title: str) -> None:
    sender = f"title-{title.split()[0].lower()}"
    assert "What would you like to book?" in texts(
        say(assistant, sender, "I need to book something")
    )
    reply = texts(say(assistant, sender, title))
    assert "Which day" in reply, reply


def test_a_place_goes_to_the_location(assistant: dict[str, Any]) -> None:
    say(assistant, "place", "I'd like to make a booking")
    say(assistant, "place", "coffee with the landlord at 2250 Oak Street")
    say(assistant, "place", "next tuesday")
    say(assistant, "place", "at 11am")
    summary = texts(say(assistant, "place", "30 minutes"))
    assert "Coffee with the landlord at 2250 Oak Street" in summary, summary
    assert "11:00-11:30" in summary and "22:50" not in summary, summary
    assert texts(say(assistant, "place", "yes")).startswith("Booked: Coffee with the landlord")
    engine = create_engine(assistant["db_url"], future=True)
    with engine.connect() as conn:
        location = conn.execute(
            text(
                "SELECT e.location FROM calendar_events e JOIN contacts c ON c.id = e.contact_id"
                " WHERE c.platform_user_id = :user"
            ),
            {"user": f"{assistant['run']}-place"},
        ).scalar_one()
    assert location == "2250 Oak Street"


def test_a_part_of_day_offers_free_times_not_a_six_hour_booking(assistant: dict[str, Any]) -> None:
    day = _next_wednesday()
    reply = say(assistant, "pod", "book a haircut next wednesday afternoon")
    offered = buttons(reply)
    assert "These times are free" in texts(reply) and offered, texts(reply)
    assert all(f"{day.day} {day:%b}" in b["title"] for b in offered)
    reply = say(assistant, "pod", "the second one")
    assert "How long" in texts(reply), texts(reply)
    summary = texts(say(assistant, "pod", "30 minutes"))
    assert offered[1]["title"].split()[-1] in summary, (summary, offered)


def test_an_availability_question_mid_form_is_answered_and_the_form_resumes(
    assistant: dict[str, Any],
) -> None:
    say(assistant, "avail", "book a massage")
    reply = say(assistant, "avail", "anything free next wednesday afternoon?")
    assert "These times are free" in texts(reply) and buttons(reply), texts(reply)
    picked = say(assistant, "avail", buttons(reply)[0]["payload"])
    assert "How long" in texts(picked), texts(picked)
    # Without a booking under way, the same question lists the free times to book from.
    reply = say(assistant, "avail-outside", "anything free next wednesday afternoon?")
    assert "Pick one to book it." in texts(reply) and buttons(reply), texts(reply)


def test_a_bare_time_uses_the_day_said_earlier(assistant: dict[str, Any]) -> None:
    day = _next_tuesday()
    say(assistant, "earlier", "what's on next tuesday?")
    summary = texts(say(assistant, "earlier", "book a haircut at 3pm for 30 minutes"))
    assert f"{day.day} {day:%b}" in summary and "15:00-15:30" in summary, summary


def test_a_bare_time_with_no_day_said_asks_the_day(assistant: dict[str, Any]) -> None:
    day = _next_tuesday()
    reply = texts(say(assistant, "noday", "book a haircut at 3pm for 30 minutes"))
    assert "Which day" in reply, reply
    summary = texts(say(assistant, "noday", "next tuesday"))
    assert f"{day.day} {day:%b}" in summary and "15:00-15:30" in summary, summary


def test_a_new_request_mid_form_replaces_the_pending_one(assistant: dict[str, Any]) -> None:
    say(assistant, "again", "book a haircut next tuesday at 10am")
    summary = texts(say(assistant, "again", "actually book a massage next tuesday at 4pm"))
    assert "How long" in summary, summary
    summary = texts(say(assistant, "again", "1 hour"))
    assert "Massage" in summary and "16:00-17:00" in summary, summary


def test_fallbacks_offer_the_main_actions(assistant: dict[str, Any]) -> None:
    reply = say(assistant, "fallback", "what's the capital of peru")
    assert reply and "I can book" in texts(reply), texts(reply)
    assert [b["payload"] for b in buttons(reply)] == [
        "/schedule_event",
        "/check_availability",
        "/help",
    ]


def test_another_language_gets_told_which_language(assistant: dict[str, Any]) -> None:
    reply = texts(say(assistant, "idioma", "quiero reservar una cita para mañana por la tarde"))
    assert "only speak English" in reply and "Spanish" in reply, reply
