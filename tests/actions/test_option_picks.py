"""option_picks: a typed choice among offered times."""

from __future__ import annotations

import pytest

from actions.option_picks import pick, picked_index


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("the first one", 0),
        ("The second one please", 1),
        ("2nd one", 1),
        ("the third option", 2),
        ("option 2", 1),
        ("number 1 please", 0),
        ("#3", 2),
        ("the last one", -1),
        ("i'll take the first", 0),
        ("ok, the 2nd one", 1),
        ("the second works for me", 1),
    ],
)
def test_picks(text: str, index: int) -> None:
    assert picked_index(text) == index


@pytest.mark.parametrize(
    "text", ["the first of april", "first thing monday", "1", "at 1", "one", "the 1st at 3pm"]
)
def test_dates_and_times_are_not_picks(text: str) -> None:
    assert picked_index(text) is None


def test_pick_among_options() -> None:
    options = ["a", "b", "c"]
    assert pick("the second one", options) == "b"
    assert pick("the last one", options) == "c"
    assert pick("the fourth one", options) is None
    assert pick("the first one", None) is None
