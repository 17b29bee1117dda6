"""Whether the database answers, for the processes' readiness checks."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from booking_core.db.session import get_engine

logger = logging.getLogger(__name__)


def database_answers(database_url: str | None) -> bool:
    """Whether `SELECT 1` succeeds on a pooled connection (False, logged, when it does not)."""
    try:
        with get_engine(database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("readiness: the database does not answer (%s)", type(exc).__name__)
        return False
    return True
