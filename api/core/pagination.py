"""Opaque cursors for keyset pagination: url-safe base64 of `<ISO datetime>|<id>` or `<id>`."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone

from fastapi import HTTPException


class InvalidCursor(HTTPException):
    """A cursor this API did not issue (400)."""

    def __init__(self) -> None:
        super().__init__(status_code=400, detail="invalid cursor")


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 12


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _decode(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        raise InvalidCursor() from None


def encode_id_cursor(row_id: int) -> str:
    """Cursor after the row with this id."""
    return _encode(str(row_id))


def decode_id_cursor(cursor: str | None) -> int | None:
    """The id in a cursor (None for no cursor); 400 for a malformed one."""
    if cursor is None:
        return None
    text = _decode(cursor)
    if not _is_id(text):
        raise InvalidCursor()
    return int(text)


def encode_key_cursor(at: datetime, row_id: int) -> str:
    """Cursor after the row with this (datetime, id) sort key."""
    return _encode(f"{at.astimezone(timezone.utc).isoformat()}|{row_id}")


def decode_key_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The (datetime, id) in a cursor (None for no cursor); 400 for a malformed one."""
    if cursor is None:
        return None
    at_text, _, id_text = _decode(cursor).partition("|")
    if not _is_id(id_text):
        raise InvalidCursor()
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        raise InvalidCursor() from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidCursor()
    return at, int(id_text)
