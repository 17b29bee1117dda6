"""Shared query/path parameters and their conversions (never a 500 for odd input)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

from fastapi import HTTPException, Path, Query

from booking_core.db.models import CHANNELS, DIRECTIONS, EVENT_STATUSES

#: Ids fit PostgreSQL's 32-bit integer columns; anything larger cannot exist.
MAX_ID = 2**31 - 1

Limit = Annotated[int, Query(ge=1, le=200, description="page size")]
Cursor = Annotated[
    str | None,
    Query(max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="next_cursor of the last page"),
]
Search = Annotated[
    str | None,
    Query(max_length=200, pattern=r"^[^\x00]*$", description="case-insensitive substring"),
]
ChannelFilter = Annotated[str | None, Query(pattern=f"^({'|'.join(CHANNELS)})$")]
DirectionFilter = Annotated[str | None, Query(pattern=f"^({'|'.join(DIRECTIONS)})$")]
StatusFilter = Annotated[str | None, Query(pattern=f"^({'|'.join(EVENT_STATUSES)})$")]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def id_path(description: str) -> Any:
    """A positive 32-bit id in the path."""
    return Path(..., ge=1, le=MAX_ID, description=description)


def aware(value: datetime | None, name: str) -> datetime | None:
    """A datetime in UTC; one without offset is taken as UTC. 422 when out of range."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise HTTPException(status_code=422, detail=f"{name} is out of range") from None
