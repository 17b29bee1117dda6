"""\"The first one\", \"option 2\", \"the last\": which of the offered times the customer picked.

Pure functions. When the assistant offers free times as buttons, people often type their
choice instead of pressing a button. Such a reply names an option by its place, and must not
be read as a time ("the first" is not 1 pm, nor the 1st of the month). Only a whole reply that
is a pick counts, so "the first of April" stays a date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_ORDINALS = {
    "first": 0, "1st": 0, "one": 0, "1": 0,
    "second": 1, "2nd": 1, "two": 1, "2": 1,
    "third": 2, "3rd": 2, "three": 2, "3": 2,
    "fourth": 3, "4th": 3, "four": 3, "4": 3,
    "last": -1, "final": -1,
}  # fmt: skip
_PICK = re.compile(
    r"^(?:(?:ok(?:ay)?|yes|yeah|sure|great|perfect)[,!.]?\s+)?"
    r"(?:i'?ll (?:take|have|go (?:for|with))\s+|let'?s (?:do|go (?:for|with))\s+|"
    r"(?:i'?d like|i want|give me|book)\s+)?"
    r"(?:(?:the|that)\s+)?"
    r"(?:(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|last|final)"
    r"(?:\s+(?:one|option|slot|time|choice))?"
    r"|(?:option|number|no\.?|slot|choice|#)\s*(?P<num>[1-4]|one|two|three|four))"
    r"(?:\s+(?:one|please|pls|thanks|works(?: for me)?|is (?:good|fine|great)|sounds good))*"
    r"[\s.!]*$",
    re.IGNORECASE,
)


def picked_index(text: str) -> int | None:
    """The 0-based place of the option a reply picks (-1 for the last), or None."""
    match = _PICK.match(text.strip())
    if not match:
        return None
    word = (match.group("ord") or match.group("num") or "").lower()
    return _ORDINALS.get(word)


def pick(text: str, options: Sequence[Any] | None) -> Any | None:
    """The option a reply picks among those offered, or None."""
    if not options:
        return None
    index = picked_index(text)
    if index is None or index >= len(options):
        return None
    return options[index]
