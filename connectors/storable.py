"""What the database can store: strings without lone surrogates or NUL characters (pure).

A signed delivery can carry characters no column takes: a lone UTF-16 surrogate (an emoji cut
in half, JSON "\\ud83d") has no UTF-8 form, so SQLite and psycopg2 both raise, and PostgreSQL
refuses NUL ("\\u0000") in text and in JSON. One such message used to fail its whole POST with
a 500 on every redelivery, and the items after it in the batch were never stored. The parsers
pass every message through `storable_inbound` (receipts through `storable_status`): each such
character becomes U+FFFD, and the item as received is kept beside the message as ASCII JSON
text (`InboundMessage.raw`, its escapes intact), so the history loses nothing. NUL is replaced
rather than removed so that two ids differing only there stay different.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from connectors.inbound import InboundMessage, StatusUpdate

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: The string fields of InboundMessage that reach the database (columns or the payload).
_INBOUND_TEXT = ("channel", "platform_message_id", "platform_user_id", "chat_id", "kind",
                 "text", "account_id", "display_name", "language", "reply_to",
                 "callback_query_id")  # fmt: skip


def storable_text(text: str) -> str:
    """`text` with every lone surrogate and NUL replaced by U+FFFD (`text` itself if none)."""
    if _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(REPLACEMENT, text)


def storable(value: Any) -> Any:
    """A JSON-like value with every string in it, keys included, made storable; the value
    itself (the same object) when nothing had to change."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        items = [(storable(k), storable(v)) for k, v in value.items()]
        same = all(
            new_k is k and new_v is v
            for (new_k, new_v), (k, v) in zip(items, value.items(), strict=True)
        )
        return value if same else dict(items)
    if isinstance(value, (list, tuple)):
        cleaned = [storable(v) for v in value]
        same = all(new is old for new, old in zip(cleaned, value, strict=True))
        return value if same else type(value)(cleaned)
    return value


def as_received(item: Any) -> str:
    """An item as JSON text in ASCII: lone surrogates and NULs stay escapes, so any database
    stores it and `json.loads` gives the item back exactly."""
    return json.dumps(item, ensure_ascii=True, separators=(",", ":"))


def storable_inbound(message: InboundMessage, raw: Any = None) -> InboundMessage:
    """`message` itself when everything in it can be stored; else a copy with the unstorable
    characters replaced and `raw` (the item as received; the message's own fields when not
    given) kept as `as_received` text."""
    changes: dict[str, Any] = {
        name: storable_text(value)
        for name in _INBOUND_TEXT
        if isinstance(value := getattr(message, name), str) and _UNSTORABLE.search(value)
    }
    extra = storable(message.extra)
    if extra is not message.extra:
        changes["extra"] = extra
    if not changes:
        return message
    kept = raw if raw is not None else message.to_dict()
    return replace(message, **changes, raw=as_received(kept))


def storable_status(update: StatusUpdate) -> StatusUpdate:
    """A receipt whose id and error can be looked up and written (no copy is kept: a receipt
    only updates a row)."""
    changes = {
        name: storable_text(value)
        for name in ("platform_message_id", "status", "account_id", "error")
        if isinstance(value := getattr(update, name), str) and _UNSTORABLE.search(value)
    }
    return replace(update, **changes) if changes else update
