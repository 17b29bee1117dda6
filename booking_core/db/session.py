"""Engines (one per URL, cached) and transactional sessions.

SQLite is the default single-machine database, shared by several processes (Rasa action server,
admin API, connectors). Each connection therefore turns on WAL (readers do not block the writer),
foreign keys (off by default in SQLite) and a busy timeout, and transactions start with
`BEGIN IMMEDIATE` so two writers queue on the lock instead of failing when a read transaction tries
to upgrade. Taking over `BEGIN` from pysqlite is also what makes SAVEPOINTs work, which the
atomic de-duplicating inserts rely on.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine import create_engine as _create_engine
from sqlalchemy.orm import Session, sessionmaker

from booking_core.settings import get_settings

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def resolve_url(database_url: str | None = None) -> str:
    """The given URL, or `DATABASE_URL` from the settings."""
    return database_url or get_settings().database_url


def prepare_sqlite_file(url: str) -> None:
    """Create the directory of a file-based SQLite database (e.g. `var/`)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    """Per-connection pragmas and explicit transaction control for pysqlite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit BEGIN breaks SAVEPOINT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _new_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        prepare_sqlite_file(url)
        engine = _create_engine(
            url,
            future=True,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
        _configure_sqlite(engine)
        return engine
    # A pre-ping (SELECT 1 per checkout) hides connections a database restart broke; the ingest
    # process turns it off (DATABASE_PRE_PING=0): a broken connection then fails one request with
    # 503, the platform delivers again, and the pool has replaced the connection by then.
    pre_ping = os.environ.get("DATABASE_PRE_PING", "1") != "0"
    return _create_engine(url, future=True, pool_pre_ping=pre_ping, pool_size=10)


_engines: dict[str, tuple[Engine, sessionmaker]] = {}
_engines_lock = threading.Lock()


def _entry(url: str) -> tuple[Engine, sessionmaker]:
    with _engines_lock:
        entry = _engines.get(url)
        if entry is None:
            engine = _new_engine(url)
            # expire_on_commit=False: objects returned from a finished scope stay readable.
            entry = (engine, sessionmaker(bind=engine, future=True, expire_on_commit=False))
            _engines[url] = entry
        return entry


def get_engine(database_url: str | None = None) -> Engine:
    """The process-wide engine for `database_url` (default: settings), created on first use."""
    return _entry(resolve_url(database_url))[0]


def get_sessionmaker(database_url: str | None = None) -> sessionmaker:
    """A cached `sessionmaker` bound to the engine for `database_url`."""
    return _entry(resolve_url(database_url))[1]


@contextmanager
def session_scope(database_url: str | None = None) -> Iterator[Session]:
    """One unit of work: commit when the block ends normally, roll back when it raises."""
    session: Session = get_sessionmaker(database_url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines(*database_urls: str) -> None:
    """Close and forget the cached engines for these URLs, or all of them when none is given.

    For tests, forked workers and before dropping a database or schema.
    """
    with _engines_lock:
        urls = list(database_urls) if database_urls else list(_engines)
        entries = [_engines.pop(url) for url in urls if url in _engines]
    for engine, _ in entries:
        engine.dispose()
    # Imported here: pg_connection imports this module.
    from booking_core.messaging import pg_connection

    pg_connection.close_connections(*urls)
