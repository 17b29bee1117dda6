"""Tracker and lock stores chosen from the environment, against real PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from booking_core.rasa_stores import (
    EnvLockStore,
    EnvTrackerStore,
    redis_lock_store_arguments,
    sql_tracker_store_arguments,
)
from booking_core.rasa_stores.event_logs import MemoryLog, SqlLog
from booking_core.rasa_stores.windowed import WindowedTrackerStore


def test_defaults_are_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 19: the default tracker store hands Rasa windows over an in-memory log (was
    # Rasa's InMemoryTrackerStore, which TRACKER_WINDOW=off still gives).
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("TRACKER_WINDOW", raising=False)
    store = EnvTrackerStore(domain=Domain.empty())
    assert isinstance(store, WindowedTrackerStore) and isinstance(store.log, MemoryLog)
    assert isinstance(EnvLockStore(), InMemoryLockStore)
    monkeypatch.setenv("TRACKER_WINDOW", "off")
    assert isinstance(EnvTrackerStore(domain=Domain.empty()), InMemoryTrackerStore)


def test_url_parsing() -> None:
    args = sql_tracker_store_arguments("postgres://rasa:pw@db:5433/rasa_events")
    assert args == {
        "dialect": "postgresql",
        "host": "db",
        "port": 5433,
        "db": "rasa_events",
        "username": "rasa",
        "password": "pw",
        "query": None,
    }
    redis_args = redis_lock_store_arguments("rediss://:secret@cache:6380/3")
    assert (redis_args["host"], redis_args["port"], redis_args["db"]) == ("cache", 6380, 3)
    assert redis_args["password"] == "secret" and redis_args["use_ssl"] is True


@pytest.mark.postgres
def test_sql_tracker_store_on_postgres(
    monkeypatch: pytest.MonkeyPatch, postgres_server_url: str
) -> None:
    monkeypatch.setenv("TRACKER_STORE_URL", postgres_server_url)
    monkeypatch.delenv("TRACKER_WINDOW", raising=False)
    store = EnvTrackerStore(domain=Domain.empty())
    # Issue 19: windows over Rasa's SQLTrackerStore tables (was the SQLTrackerStore itself)
    assert isinstance(store, WindowedTrackerStore) and isinstance(store.log, SqlLog)
    assert isinstance(store.log.store, SQLTrackerStore)
    sender = f"test-{uuid.uuid4().hex}"
    tracker = DialogueStateTracker.from_events(
        sender, [SessionStarted(), UserUttered("hello", {"name": "greet", "confidence": 1.0})]
    )

    async def round_trip() -> DialogueStateTracker | None:
        await store.save(tracker)
        return await store.retrieve(sender)

    loaded = asyncio.run(round_trip())
    assert loaded is not None
    assert loaded.latest_message is not None and loaded.latest_message.text == "hello"


@pytest.mark.redis
def test_redis_lock_store(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    store = EnvLockStore()
    assert isinstance(store, RedisLockStore)
    conversation = f"test-{uuid.uuid4().hex}"
    lock = store.create_lock(conversation)
    ticket = lock.issue_ticket(30)
    store.save_lock(lock)
    assert store.get_or_create_lock(conversation).is_locked(ticket + 1)
    store.delete_lock(conversation)
