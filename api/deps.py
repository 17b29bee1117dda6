"""Request dependencies (FastAPI full-stack template style: `SessionDep`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from booking_core.db.session import session_scope


def get_database_url(request: Request) -> str | None:
    """The URL `create_app(database_url=...)` was given, or None for the settings default."""
    return getattr(request.app.state, "database_url", None)


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, committed when the handler returns, rolled back if it raises."""
    with session_scope(get_database_url(request)) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]
DatabaseUrlDep = Annotated["str | None", Depends(get_database_url)]
