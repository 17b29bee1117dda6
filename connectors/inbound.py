"""Platform-neutral shapes of what a webhook delivered, produced by the pure parsers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

#: What an inbound message is, which decides how it is processed.
#: text/button/edit go to Rasa; location/media/unsupported get the text-only answer.
KINDS = ("text", "button", "edit", "location", "media", "unsupported")
TO_RASA = frozenset({"text", "button", "edit"})


class ParseError(ValueError):
    """The body is not JSON or not shaped as the platform documents; answered with 400."""


@dataclass(frozen=True)
class InboundMessage:
    """One user message out of a webhook batch.

    `platform_message_id` is the de-duplication key (wamid, Instagram mid, Telegram update_id,
    stored as "<bot id>:<update_id>" since update ids are per bot);
    `chat_id` is where replies go; `reply_to` is the platform id of the bot message a button
    belonged to (used to resolve short button references and to remove Telegram keyboards).
    """

    channel: str
    platform_message_id: str
    platform_user_id: str
    chat_id: str
    kind: str
    text: str | None = None
    account_id: str | None = None
    display_name: str | None = None
    language: str | None = None
    sent_at: datetime | None = None
    reply_to: str | None = None
    callback_query_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: The item as received, as ASCII JSON text; kept only when characters the database
    #: cannot store had to be replaced (see connectors.storable).
    raw: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, stored with the message so a restart can process it again."""
        data = asdict(self)
        data["sent_at"] = self.sent_at.isoformat() if self.sent_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InboundMessage:
        """Inverse of `to_dict`."""
        values = dict(data)
        sent_at = values.get("sent_at")
        values["sent_at"] = datetime.fromisoformat(sent_at) if sent_at else None
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery receipt for a message the bot sent (WhatsApp statuses, Instagram reads)."""

    channel: str
    platform_message_id: str
    status: str
    account_id: str | None = None
    error: str | None = None


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
