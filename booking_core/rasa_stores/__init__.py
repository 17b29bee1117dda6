"""Rasa's tracker and lock stores for this project (endpoints.yml names the `Env*` classes)."""

from booking_core.rasa_stores.env import (
    LOCK_KEY_PREFIX,
    REDIS_URL,
    TRACKER_MEMORY_CONVERSATIONS,
    TRACKER_STORE_URL,
    TRACKER_WINDOW,
    EnvLockStore,
    EnvTrackerStore,
    redis_lock_store_arguments,
    sql_tracker_store_arguments,
    windowed,
)

__all__ = [
    "LOCK_KEY_PREFIX",
    "REDIS_URL",
    "TRACKER_MEMORY_CONVERSATIONS",
    "TRACKER_STORE_URL",
    "TRACKER_WINDOW",
    "EnvLockStore",
    "EnvTrackerStore",
    "redis_lock_store_arguments",
    "sql_tracker_store_arguments",
    "windowed",
]
