"""The cue words of a question about the business: each kind told apart, and requests that
hold none (a provider search, a booking) have no kind."""

from __future__ import annotations

import pytest

from nlu.business_questions import KINDS, cue_kind, question_kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("how much is a haircut?", "price"), ("what do you charge for an mot", "price"),
        ("price list please", "price"), ("is a consultation free or do you charge", "price"),
        ("how long does a massage take?", "duration"), ("how much time should I allow", "duration"),
        ("is a facial an hour", "duration"), ("how many minutes is a trim", "duration"),
        ("when are you open?", "hours"), ("what time do you start in the morning", "hours"),
        ("are you closed on mondays", "hours"), ("do you work weekends", "hours"),
        ("where are you?", "location"), ("what is the address of the salon", "location"),
        ("where should i park", "location"), ("how do i get to you", "location"),
        ("what do you offer?", "services"), ("do you do nails", "services"),
        ("can you do highlights", "services"), ("which treatments are there", "services"),
        ("what are your opening times", "hours"), ("is the studio open in the evenings", "hours"),
        ("when do you begin in the mornings", "hours"),
        ("what sorts of things are there", "services"),
        ("what can i book here", "services"), ("when does the clinic open on monday", "hours"),
        ("how do i get to the salon", "location"),
        ("how far are you from the town centre", "location"), ("what hours do you keep", "hours"),
    ],
)  # fmt: skip
def test_the_kind_of_question(text: str, kind: str) -> None:
    assert kind in KINDS
    assert cue_kind(text) == kind
    assert question_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "find me a salon in Campbell", "I'm looking for a dentist", "I need a doctor",
        "book a haircut tomorrow at 3", "can you get me an appointment with Dr. Lim",
        "yes please", "tell me more", "where am i right now", "where exactly are we now",
        "any barbers nearby? I'm looking for a trim",
        "my back has hurt for the last three days, can you fix an appointment",
        "do you know of a dentist in the area", "can you recommend a barber",
        "is 4pm open?", "are there any openings at 2", "three hours", "1 and a half hours",
        "what time slots are open thursday", "what time is my appointment",
        "where can i find a dentist", "could you say where i'm standing",
        "how do i get to the old harbour on foot", "how far away is the moon",
        "where's the nearest cinema", "could you locate a barber for me",
        "please find the nearest dentist to my office",
    ],
)  # fmt: skip
def test_requests_that_ask_nothing_about_the_business_have_no_kind(text: str) -> None:
    # Each stands for a class (a provider search, where the customer is, a place that is not
    # the business, a slot, a length), in our own words: the evaluation sets stay unseen.
    assert cue_kind(text) is None


def test_a_question_without_cue_words_is_answered_with_what_is_offered() -> None:
    assert question_kind("tell me more") == "services"
