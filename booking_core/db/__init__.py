"""Database layer: models, engine/session handling, repository (crud) functions, migrations."""

from booking_core.db.session import get_engine, get_sessionmaker, session_scope

__all__ = ["get_engine", "get_sessionmaker", "session_scope"]
