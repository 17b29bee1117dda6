"""Rasa tracker and lock stores chosen from the environment.

endpoints.yml names these two classes, so the same file serves every set-up. Tracker store:
with nothing set, `rasa shell`/`make run` keep the latest conversations in memory; in
production `TRACKER_STORE_URL` (an SQLAlchemy URL, e.g. postgresql://rasa@db:5432/rasa) keeps
every event in Rasa's SQLTrackerStore tables. Either way Rasa is handed only the recent window
of a conversation each turn (`windowed.py`); `TRACKER_WINDOW=off` gives Rasa's own stores
as they are (for comparison). Lock store: `REDIS_URL` (e.g. redis://127.0.0.1:6379/1) selects
`RedisLockStore`, which Rasa requires for more than one server process or `SANIC_WORKERS` > 1.

Each class's constructor returns an instance of the store it selects (Rasa loads custom stores
by class path and type-checks the instances, e.g. it refuses `SANIC_WORKERS` > 1 with an
`InMemoryLockStore`), so Rasa sees its own lock stores and tracker-store interface.
"""

from __future__ import annotations

import os
from typing import Any

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine import make_url

from booking_core.rasa_stores.event_logs import MEMORY_CONVERSATIONS, MemoryLog, SqlLog
from booking_core.rasa_stores.windowed import WindowedTrackerStore

TRACKER_STORE_URL = "TRACKER_STORE_URL"
TRACKER_WINDOW = "TRACKER_WINDOW"
TRACKER_MEMORY_CONVERSATIONS = "TRACKER_MEMORY_CONVERSATIONS"
REDIS_URL = "REDIS_URL"
LOCK_KEY_PREFIX = "REDIS_LOCK_KEY_PREFIX"


def sql_tracker_store_arguments(url: str) -> dict[str, Any]:
    """SQLTrackerStore's keyword arguments from one SQLAlchemy URL."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver == "postgres" or driver.startswith("postgres+"):
        driver = "postgresql" + driver[len("postgres") :]
    is_sqlite = driver.startswith("sqlite")
    return {
        "dialect": driver,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database or ("rasa.db" if is_sqlite else "rasa"),
        "username": parsed.username,
        "password": parsed.password,
        "query": dict(parsed.query) or None,
    }


def redis_lock_store_arguments(url: str) -> dict[str, Any]:
    """RedisLockStore's keyword arguments from a redis:// or rediss:// URL."""
    parsed = make_url(url.replace("rediss://", "redis+ssl://", 1))
    return {
        "host": parsed.host or "localhost",
        "port": parsed.port or 6379,
        "db": int(parsed.database or 1),
        "username": parsed.username,
        "password": parsed.password,
        "use_ssl": parsed.drivername.endswith("ssl"),
        "key_prefix": os.environ.get(LOCK_KEY_PREFIX) or None,
    }


def windowed() -> bool:
    """Whether Rasa is handed windows (the default) or whole sessions (TRACKER_WINDOW=off)."""
    return os.environ.get(TRACKER_WINDOW, "on").strip().lower() not in ("off", "0", "false")


class EnvTrackerStore(TrackerStore):
    """Windows over the SQL tables when TRACKER_STORE_URL is set, else over memory."""

    def __new__(  # type: ignore[misc]
        cls,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: Any = None,
        **kwargs: Any,
    ) -> TrackerStore:
        """Build the selected Rasa store (endpoint `url`/kwargs are ignored: env decides)."""
        url = os.environ.get(TRACKER_STORE_URL)
        if url:
            sql = SQLTrackerStore(
                domain=domain, event_broker=event_broker, **sql_tracker_store_arguments(url)
            )
            if not windowed():
                return sql
            return WindowedTrackerStore(domain, SqlLog(sql), event_broker=event_broker)
        if not windowed():
            return InMemoryTrackerStore(domain or Domain.empty(), event_broker=event_broker)
        conversations = int(os.environ.get(TRACKER_MEMORY_CONVERSATIONS) or MEMORY_CONVERSATIONS)
        return WindowedTrackerStore(domain, MemoryLog(conversations), event_broker=event_broker)


class EnvLockStore(LockStore):
    """`RedisLockStore` when REDIS_URL is set, else `InMemoryLockStore`."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        """Build the selected Rasa lock store."""
        url = os.environ.get(REDIS_URL)
        if url:
            return RedisLockStore(**redis_lock_store_arguments(url))
        return InMemoryLockStore()
