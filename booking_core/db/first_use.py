"""The SQLite database is brought to the latest migration on first use.

A developer on a fresh clone runs `rasa run actions` and `rasa shell` (or `rasa run`) without
`make migrate`: the action server would then fail the first booking on a missing table, and a
Rasa server's platform channels would log a failed look for work every second. So the action
server (rasa_sdk_plugins) and the Rasa processes' channels call `ensure_schema` at start: a
SQLite database behind the migrations (a new one has none) is migrated, as `make migrate` would,
under a file lock so that two processes starting together migrate it once. PostgreSQL is never
touched here: production migrates once, before the processes start (`make run-prod`, the
migration service or Job), and many processes must not race to do it.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from pathlib import Path

from sqlalchemy import create_engine, pool
from sqlalchemy.engine import make_url

from booking_core.db.session import prepare_sqlite_file, resolve_url

logger = logging.getLogger(__name__)

_checked: set[str] = set()
_checked_lock = threading.Lock()


def sqlite_file(url: str) -> Path | None:
    """The file of a file-based SQLite URL, else None (PostgreSQL, in-memory SQLite)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database).expanduser()


def at_head(url: str) -> bool:
    """Whether the database's Alembic revision is the latest one."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from booking_core.db.migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    engine = create_engine(url, future=True, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current == heads


def ensure_schema(database_url: str | None = None) -> bool:
    """Migrate a SQLite database that is behind (see the module); True when it migrated.

    Checked once per URL and process. Never raises: a database that cannot be opened is
    logged and left to fail where it is used, as before.
    """
    url = resolve_url(database_url)
    path = sqlite_file(url)
    with _checked_lock:
        if path is None or url in _checked:
            return False
        _checked.add(url)
    try:
        return _migrate_under_lock(url, path)
    except Exception:  # any driver's or Alembic's error: the start-up goes on
        logger.warning("could not bring %s up to date; run `make migrate`", path, exc_info=True)
        return False


def _migrate_under_lock(url: str, path: Path) -> bool:
    from booking_core.db.migrate import upgrade

    prepare_sqlite_file(url)
    if path.exists() and at_head(url):  # the usual start: no lock file is made
        return False
    with open(f"{path}.migrate-lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            if at_head(url):
                return False
            upgrade(url)
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
    logger.info("database %s was behind its migrations: migrated to the latest (first use)", path)
    return True
