"""booking_core/db/first_use.py: a fresh clone's SQLite database is migrated once, by whichever
process starts first; PostgreSQL and broken URLs are left alone without an exception."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from booking_core.db import first_use
from booking_core.db.first_use import at_head, ensure_schema, sqlite_file


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test as a new process: nothing checked yet."""
    monkeypatch.setattr(first_use, "_checked", set())


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_missing_database_is_created_at_the_latest_migration(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="booking_core.db.first_use")
    url = f"sqlite:///{tmp_path / 'var' / 'booking.db'}"
    assert ensure_schema(url) is True
    assert {"tenants", "calendar_events", "messages", "alembic_version"} <= tables(url)
    assert at_head(url)
    engine = create_engine(url)
    with engine.connect() as connection:  # the default tenant, as `make migrate` leaves it
        assert connection.execute(text("SELECT slug FROM tenants")).scalars().all() == ["default"]
    engine.dispose()
    assert any("first use" in r.getMessage() for r in caplog.records)


def test_an_up_to_date_database_is_left_alone_and_checked_once(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ensure_schema(sqlite_url) is False
    database = sqlite_file(sqlite_url)
    assert database is not None and not Path(f"{database}.migrate-lock").exists()
    monkeypatch.setattr(first_use, "at_head", lambda url: pytest.fail("checked twice"))
    assert ensure_schema(sqlite_url) is False


def test_two_processes_starting_together_migrate_it_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'booking.db'}"
    results: list[bool] = []

    def start() -> None:
        first_use._checked.discard(url)  # a process of its own
        results.append(first_use._migrate_under_lock(url, tmp_path / "booking.db"))

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]


def test_postgresql_and_memory_databases_are_never_migrated_here() -> None:
    assert sqlite_file("postgresql+psycopg2://u@127.0.0.1:5432/booking") is None
    assert sqlite_file("sqlite://") is None and sqlite_file("sqlite:///:memory:") is None
    assert ensure_schema("postgresql+psycopg2://u@127.0.0.1:1/never_reached") is False


def test_a_database_that_cannot_be_opened_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="booking_core.db.first_use")
    assert ensure_schema(f"sqlite:///{tmp_path}") is False  # a directory
    assert any("make migrate" in r.getMessage() for r in caplog.records)
