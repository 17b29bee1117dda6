"""Platform-neutral shapes of what a webhook delivered, produced by the pure parsers (the
message records themselves are the queues', booking_core.messaging.records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from booking_core.messaging.records import InboundMessage, StatusUpdate

#: What an inbound message is, which decides how it is processed.
#: text/button/edit go to Rasa; location/media/unsupported get the text-only answer.
KINDS = ("text", "button", "edit", "location", "media", "unsupported")
TO_RASA = frozenset({"text", "button", "edit"})


class ParseError(ValueError):
    """The body is not JSON or not shaped as the platform documents; answered with 400."""


@dataclass(frozen=True)
class ParsedBatch:
    """Everything one webhook body carried; `ignored` counts items deliberately skipped."""

    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    ignored: int = 0


def epoch_to_datetime(value: Any, *, millis: bool = False) -> datetime | None:
    """Platform timestamps (seconds, or milliseconds for Instagram) as aware UTC, None if bad."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if millis:
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def require_dict(value: Any, what: str) -> dict[str, Any]:
    """`value` if it is a JSON object, else ParseError naming `what`."""
    if not isinstance(value, dict):
        raise ParseError(f"{what} must be an object")
    return value


def require_list(value: Any, what: str) -> list[Any]:
    """`value` if it is a JSON array, else ParseError naming `what`."""
    if not isinstance(value, list):
        raise ParseError(f"{what} must be an array")
    return value


def require_str(value: Any, what: str) -> str:
    """A non-empty string (numbers are accepted and turned into strings: ids arrive as both)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ParseError(f"{what} is missing or not a string")
    text = str(value)
    if not text:
        raise ParseError(f"{what} is empty")
    return text


def optional_str(value: Any) -> str | None:
    """A string or None, whatever was there."""
    if isinstance(value, str) and value:
        return value
    return None


def optional_id(value: Any) -> str | None:
    """An id as `require_str` reads it (strings, or numbers as strings), or None."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value) or None


def objects_of(value: Any) -> list[dict[str, Any]]:
    """The objects in a JSON array, leniently: nothing when `value` is not an array."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
