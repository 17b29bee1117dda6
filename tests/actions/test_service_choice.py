"""The tenant's services in the booking form: a named service fills title and duration, a
customer's other length is kept only where the service allows it, an unknown request is offered
the services as buttons, and a tenant without services keeps free-text titles."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.confirmation import booking_summary
from actions.service_choice import ActionAskEventTitle, service_button
from tests.actions.factories import (
    DOMAIN,
    HAIRCUT,
    MANICURE,
    MASSAGE,
    duration_entity,
    fixed_clock,  # noqa: F401  (autouse: NOW, London, no services unless offered)
    make_tracker,
    offer_services,
    run_form,
    time_entity,
    title_entity,
)

TOMORROW_3PM = time_entity("tomorrow at 3", "2026-11-25T15:00:00.000+00:00", start=17)


@pytest.fixture
def salon(monkeypatch: pytest.MonkeyPatch) -> None:
    offer_services(monkeypatch, [HAIRCUT, MASSAGE, MANICURE])


async def test_a_named_service_fills_title_and_duration(salon: None) -> None:
    tracker = make_tracker(
        "can I book a haircut tomorrow at 3", intent="schedule_event",
        entities=[title_entity("haircut", start=13), TOMORROW_3PM],
    )  # fmt: skip
    slots, said = await run_form(tracker)
    assert slots["event_title"] == "Haircut" and slots["event_duration"] == 30.0
    assert slots["service"] == {"id": 1, "name": "Haircut", "minutes": 30, "flexible": False,
                                "price": "\u00a325.00"}  # fmt: skip
    assert (slots["event_date"], slots["event_time"]) == ("2026-11-25", "15:00")
    assert said == []


async def test_the_service_is_found_when_no_title_was_tagged(salon: None) -> None:
    tracker = make_tracker("a hair cut tomorrow at 3", intent="schedule_event",
                           entities=[TOMORROW_3PM])  # fmt: skip
    slots, _ = await run_form(tracker)
    assert slots["event_title"] == "Haircut" and slots["event_duration"] == 30.0


async def test_another_length_of_a_fixed_service_gets_a_clear_answer(salon: None) -> None:
    tracker = make_tracker(
        "a haircut tomorrow at 3 for 45 minutes", intent="schedule_event",
        entities=[title_entity("haircut", start=2), TOMORROW_3PM,
                  duration_entity("45 minutes", 2700, start=28)],
    )  # fmt: skip
    slots, said = await run_form(tracker)
    assert slots["event_duration"] == 30.0
    assert said == ["A haircut takes 30 minutes, so I've planned 30 minutes."]


async def test_a_flexible_service_keeps_the_customers_length(salon: None) -> None:
    tracker = make_tracker(
        "a massage tomorrow at 3 for 90 minutes", intent="schedule_event",
        entities=[title_entity("massage", start=2), TOMORROW_3PM,
                  duration_entity("90 minutes", 5400, start=28)],
    )  # fmt: skip
    slots, said = await run_form(tracker)
    assert (slots["event_title"], slots["event_duration"], said) == ("Massage", 90.0, [])


async def test_an_unknown_request_is_refused_then_offered_the_services(salon: None) -> None:
    tracker = make_tracker("book a dentist appointment tomorrow at 3", intent="schedule_event",
                           entities=[title_entity("dentist appointment", start=7),
                                     TOMORROW_3PM])  # fmt: skip
    slots, _ = await run_form(tracker)
    assert slots["event_title"] is None and slots["event_date"] == "2026-11-25"
    dispatcher = CollectingDispatcher()
    await ActionAskEventTitle().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["text"] == "What would you like to book? We offer:"
    assert [b["payload"] for b in message["buttons"]] == ["Haircut", "Massage", "Manicure"]
    assert message["buttons"][0]["title"] == "Haircut (\u00a325.00)"


async def test_part_of_a_name_offers_only_what_it_may_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    from booking_core.catalog import ServiceInfo

    beard = ServiceInfo(4, "Beard trim", (), 15)
    offer_services(monkeypatch, [HAIRCUT, beard])
    tracker = make_tracker("something for my beard", slots={"requested_slot": "event_title"})
    dispatcher = CollectingDispatcher()
    await ActionAskEventTitle().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["text"] == "Which of these would you like to book?"
    assert [b["payload"] for b in message["buttons"]] == ["Beard trim"]


async def test_a_button_answer_is_read_like_a_typed_one(salon: None) -> None:
    tracker = make_tracker("Massage", slots={"requested_slot": "event_title",
                                             "event_date": "2026-11-25"})  # fmt: skip
    slots, _ = await run_form(tracker)
    assert (slots["event_title"], slots["event_duration"]) == ("Massage", 60.0)


async def test_without_services_titles_stay_free_text() -> None:
    tracker = make_tracker("book a dentist appointment tomorrow at 3", intent="schedule_event",
                           entities=[title_entity("dentist appointment", start=7),
                                     TOMORROW_3PM])  # fmt: skip
    slots, _ = await run_form(tracker)
    assert slots["event_title"] == "Dentist appointment" and "service" not in slots
    dispatcher = CollectingDispatcher()
    await ActionAskEventTitle().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_ask_event_title"


def test_the_summary_shows_the_price() -> None:
    tracker = make_tracker("yes", slots={
        "event_title": "Haircut", "event_date": "2026-11-25", "event_time": "15:00",
        "event_duration": 30.0, "service": HAIRCUT.to_slot()})  # fmt: skip
    assert booking_summary(tracker) == (
        "Haircut, Wed 25 Nov, 15:00-15:30 (Europe/London), \u00a325.00")


def test_buttons_carry_the_name_and_fit_the_platforms() -> None:
    assert service_button(MANICURE) == {"title": "Manicure", "payload": "Manicure"}
