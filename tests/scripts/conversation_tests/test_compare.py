"""scripts/conversation_tests/compare.py: the first difference between what was expected and
what the bot said or booked, with both sides in the message."""

from __future__ import annotations

from datetime import date, time

from scripts.conversation_tests.compare import (
    Booked,
    answer_difference,
    bookings_difference,
)
from scripts.conversation_tests.spec import Event, ExpectedMessage

TODAY = date(2026, 12, 6)  # a Sunday: next wednesday is 9 Dec
SUMMARY = "Haircut, Wed 9 Dec, 15:00-15:30 (Europe/London). Shall I book it?"
BUTTONS = [{"title": t, "payload": p} for t, p in
           [("Yes", "/affirm"), ("Change", "/change_booking"), ("Cancel", "/stop")]]  # fmt: skip


def test_an_answer_as_expected_has_no_difference() -> None:
    text = "Haircut, {next wednesday}, 15:00-15:30 (Europe/London). Shall I book it?"
    expected = (ExpectedMessage(text=text, buttons=("Yes", "Change", "Cancel")),)
    assert answer_difference(expected, [{"text": SUMMARY, "buttons": BUTTONS}], TODAY) is None


def test_a_changed_text_shows_expected_and_got() -> None:
    expected = (ExpectedMessage(text="Haircut, {next wednesday}, 15:00-15:45 (Europe/London). "
                                     "Shall I book it?"),)  # fmt: skip
    difference = answer_difference(expected, [{"text": SUMMARY}], TODAY)
    assert difference == (
        "expected text 'Haircut, Wed 9 Dec, 15:00-15:45 (Europe/London). Shall I book it?', "
        f"got {SUMMARY!r}"
    )


def test_pieces_buttons_and_message_counts() -> None:
    contains = (ExpectedMessage(contains=("Haircut", "16:00")),)
    assert answer_difference(contains, [{"text": SUMMARY}], TODAY) == (
        f"expected a text containing '16:00', got {SUMMARY!r}"
    )
    buttons = (ExpectedMessage(buttons=("Yes", "No")),)
    assert answer_difference(buttons, [{"text": SUMMARY, "buttons": BUTTONS}], TODAY) == (
        f"expected buttons ['Yes', 'No'], got ['Yes', 'Change', 'Cancel'] (text {SUMMARY!r})"
    )
    none = (ExpectedMessage(text=SUMMARY, buttons=()),)
    assert "expected buttons [], got ['Yes'" in str(
        answer_difference(none, [{"text": SUMMARY, "buttons": BUTTONS}], TODAY)
    )
    two = (ExpectedMessage(text="a"), ExpectedMessage(text="b"))
    assert answer_difference(two, [{"text": "a"}], TODAY) == (
        "expected 2 bot message(s), got 1: 'a'"
    )
    assert answer_difference(two, [{"text": "a"}, {"text": "c"}], TODAY) == (
        "bot message 2: expected text 'b', got 'c'"
    )
    assert answer_difference((), [], TODAY) is None
    assert "got 0: nothing" in str(answer_difference(two, [], TODAY))


def test_bookings_are_compared_in_any_order_and_by_location_only_when_named() -> None:
    booked = [Booked("Massage", date(2026, 12, 11), time(14), 60, None),
              Booked("Coffee", date(2026, 12, 8), time(11), 30, "2250 Oak Street")]  # fmt: skip
    expected = [Event("Coffee", "next tuesday", time(11), 30),
                Event("Massage", "next friday", time(14), 60)]  # fmt: skip
    assert bookings_difference(expected, booked, TODAY) is None
    placed = [Event("Coffee", "next tuesday", time(11), 30, "2250 Oak St"),
              Event("Massage", "next friday", time(14), 60)]  # fmt: skip
    assert bookings_difference(placed, booked, TODAY) == (
        "expected bookings: Coffee at 2250 Oak St, Tue 2026-12-08 11:00, 30 min; Massage, Fri "
        "2026-12-11 14:00, 60 min; got: Coffee at 2250 Oak Street, Tue 2026-12-08 11:00, 30 min; "
        "Massage, Fri 2026-12-11 14:00, 60 min"
    )


def test_a_booking_nobody_expected_is_a_difference() -> None:
    booked = [Booked("Facial", date(2026, 12, 11), time(9), 60)]
    assert bookings_difference([], booked, TODAY) == (
        "expected bookings: none; got: Facial, Fri 2026-12-11 09:00, 60 min"
    )
    assert bookings_difference([], [], TODAY) is None
