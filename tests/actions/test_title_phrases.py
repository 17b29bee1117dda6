"""What a booking request asks for, read from its grammar."""

from __future__ import annotations

import pytest

from actions.title_phrases import requested_thing


def _thing(text: str) -> str | None:
    span = requested_thing(text)
    return text[span[0] : span[1]] if span else None


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("I think I'm coming down with something and need to visit a GP.", "GP"),
        ("I need to make an appointment with a podiatrist.", "podiatrist"),
        ("could you help me find a locksmith", "locksmith"),
        ("Can you find me a good, reliable plumber?", "plumber"),
        ("Please help me book an appointment at a tattoo studio.", "tattoo studio"),
        ("I'm looking for a Family Lawyer. Anyone free in Leeds?", "Family Lawyer"),
        ("I'd like to see the optician Dr. Amy Hale.", "optician"),
        ("we want to get a photographer for the 20th", "photographer"),
        ("get me in with the hygienist tomorrow", "hygienist"),
        ("I want to go to the nail bar near the station", "nail bar"),
    ],
)
def test_the_noun_phrase_after_a_booking_cue(text: str, thing: str) -> None:
    assert _thing(text) == thing


@pytest.mark.parametrize(
    "text",
    [
        "hello there",
        "I want to see Dr. Khan",  # a name, not a noun phrase with an article
        "book an appointment",  # only the generic word
        "can you find something for me",
        "what's the weather tomorrow",
    ],
)
def test_nothing_when_no_cue_is_followed_by_a_thing(text: str) -> None:
    assert _thing(text) is None
