"""Questions about the business answered from its own data: prices, services, lengths, hours
(of a named day too), address; buttons to book; a business without data says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.business_answers import (
    ActionAnswerBusinessQuestion,
    answer,
    describe_hours,
)
from booking_core.catalog import BusinessInfo
from booking_core.scheduling import parse_business_hours
from tests.actions.factories import (
    DOMAIN,
    HAIRCUT,
    MANICURE,
    MASSAGE,
    duration_entity,
    fixed_clock,  # noqa: F401  (autouse: NOW, London, no services unless offered)
    make_tracker,
    offer_services,
    time_entity,
)

HOURS = parse_business_hours({"mon": ["09:00", "17:00"], "tue": ["09:00", "17:00"],
                              "wed": ["09:00", "17:00"], "thu": ["09:00", "20:00"],
                              "fri": ["09:00", "17:00"], "sat": [["09:00", "12:00"],
                                                                 ["13:00", "15:00"]]})  # fmt: skip
SALON = BusinessInfo(name="Salon", timezone="Europe/London", hours=HOURS,
                     services=(HAIRCUT, MASSAGE, MANICURE), address="1 High Street, Bristol",
                     map_url="https://maps.example/salon", phone="+44 117 496 0000")  # fmt: skip
BOOK_HAIRCUT = {"title": "Book Haircut", "payload": '/schedule_event{"event_title": "Haircut"}'}


def test_the_price_of_a_named_service() -> None:
    reply = answer("price", "how much is a haircut?", SALON)
    assert reply.text == "A haircut is \u00a325.00 (30 minutes)."
    assert reply.buttons == [BOOK_HAIRCUT]


def test_a_service_without_price_gives_the_contact() -> None:
    reply = answer("price", "how much is a manicure", SALON)
    assert reply.text == (
        "I don't have a price for a manicure. You can reach us at +44 117 496 0000.")  # fmt: skip


def test_prices_of_everything_when_none_is_named() -> None:
    reply = answer("price", "what are your prices", SALON)
    assert reply.text == ("Our prices: Haircut, 30 minutes, \u00a325.00; Massage, 1 hour, "
                          "\u00a350.00; Manicure, 45 minutes.")  # fmt: skip
    assert [b["title"] for b in reply.buttons] == ["Book Haircut", "Book Massage", "Book Manicure"]


def test_what_is_offered_and_a_yes_for_a_named_one() -> None:
    assert answer("services", "what do you offer?", SALON).text.startswith("We offer: Haircut")
    yes = answer("services", "do you do manicures?", SALON)
    assert yes.text == "Yes: Manicure, 45 minutes." and yes.buttons[0]["title"] == "Book Manicure"


def test_how_long_with_a_flexible_length_said() -> None:
    assert answer("duration", "how long does a massage take?", SALON).text == (
        "A massage takes 1 hour (you can ask for another length).")  # fmt: skip
    assert answer("duration", "how long is a haircut", SALON).text == (
        "A haircut takes 30 minutes.")  # fmt: skip


def test_opening_hours_all_week_and_for_a_day() -> None:
    assert describe_hours(HOURS) == (
        "Monday to Wednesday 09:00-17:00, Thursday 09:00-20:00, "
        "Friday 09:00-17:00, Saturday 09:00-12:00 and 13:00-15:00")  # fmt: skip
    saturday = answer("hours", "are you open on saturday", SALON, date(2026, 11, 28))
    assert saturday.text.startswith("On Saturday we're open 09:00-12:00 and 13:00-15:00.")
    sunday = answer("hours", "open sunday?", SALON, date(2026, 11, 29))
    assert sunday.text.startswith("We're closed on Sunday.")
    assert describe_hours(parse_business_hours({"sun": []})) == "closed every day"


def test_where_with_a_map_link_or_the_contact() -> None:
    assert answer("location", "where are you?", SALON).text == (
        "We're at 1 High Street, Bristol. https://maps.example/salon")  # fmt: skip
    nowhere = replace(SALON, address=None, map_url=None, phone=None, email="hi@salon.example")
    assert answer("location", "where are you", nowhere).text == (
        "Salon hasn't added an address here. You can reach us at hi@salon.example.")  # fmt: skip


def test_a_business_without_services() -> None:
    bare = replace(SALON, services=())
    assert answer("price", "how much is a haircut", bare).text.startswith(
        "I can't tell you about Salon's services here")  # fmt: skip
    assert answer("hours", "when are you open", bare).text.startswith("We're open")


@pytest.mark.parametrize(("when", "day_said"), [("2026-11-28T00:00:00+00:00", True),
                                                 ("2026-11-20T00:00:00+00:00", False)])  # fmt: skip
async def test_the_action_reads_the_day_asked_about(
    monkeypatch: pytest.MonkeyPatch, when: str, day_said: bool
) -> None:
    offer_services(monkeypatch, [HAIRCUT])
    tracker = make_tracker("are you open on saturday", intent="ask_business",
                           entities=[time_entity("saturday", when, start=16, grain="day")],
                           active_loop=None)  # fmt: skip
    dispatcher = CollectingDispatcher()
    await ActionAnswerBusinessQuestion().run(dispatcher, tracker, DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert text.startswith("We're closed on Saturday.") is day_said  # defaults: Mon-Fri
    assert text.startswith("We're open Monday to Friday 09:00-17:00") is not day_said


async def test_a_value_in_the_form_is_left_to_the_form(monkeypatch: pytest.MonkeyPatch) -> None:
    offer_services(monkeypatch, [HAIRCUT])
    answer_to_form = make_tracker("three hours", intent="ask_business",
                                  entities=[duration_entity("three hours", 10800)],
                                  slots={"requested_slot": "event_duration"})  # fmt: skip
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerBusinessQuestion().run(dispatcher, answer_to_form, DOMAIN) == []
    assert dispatcher.messages == []
    question = make_tracker("are you open for three hours on saturday?",
                            intent="ask_business",
                            entities=[duration_entity("three hours", 10800, start=17)])  # fmt: skip
    await ActionAnswerBusinessQuestion().run(dispatcher, question, DOMAIN)
    assert dispatcher.messages and dispatcher.messages[0]["text"].startswith("We're open")
