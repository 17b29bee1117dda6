"""Single-use OAuth states on SQLite and PostgreSQL: spent once, superseded by a newer connect,
expired and pruned, and of two concurrent uses exactly one wins."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, text

from booking_core.db import repository as repo
from booking_core.db.models import OAuthState
from booking_core.db.session import get_sessionmaker, session_scope

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
TTL = timedelta(minutes=10)


def _tenant(url: str, slug: str = "acme") -> int:
    with session_scope(url) as session:
        tenant = repo.create_tenant(session, name=slug.title(), slug=slug)
        session.flush()
        return int(tenant.id)


def _issue(url: str, tenant_id: int, nonce: str, now: datetime | None = None) -> None:
    when = now or datetime.now(timezone.utc)
    with session_scope(url) as session:
        repo.issue_oauth_state(
            session, tenant_id=tenant_id, nonce=nonce, expires_at=when + TTL, now=when
        )


def _consume(url: str, tenant_id: int, nonce: str, now: datetime | None = None) -> str:
    with session_scope(url) as session:
        return repo.consume_oauth_state(session, tenant_id=tenant_id, nonce=nonce, now=now)


def _rows(url: str) -> int:
    with session_scope(url) as session:
        return int(session.execute(select(func.count()).select_from(OAuthState)).scalar_one())


def test_a_state_works_once_and_only_for_its_tenant(db_url: str) -> None:
    acme, other = _tenant(db_url, "acme"), _tenant(db_url, "other")
    _issue(db_url, acme, "nonce-1")
    assert _consume(db_url, other, "nonce-1") == "unknown"
    assert _consume(db_url, acme, "nonce-1") == "accepted"
    assert _consume(db_url, acme, "nonce-1") == "already_used"
    assert _consume(db_url, acme, "never-issued") == "unknown"
    with session_scope(db_url) as session:
        stored = session.execute(text("SELECT nonce_hash FROM oauth_states")).scalar_one()
        assert "nonce-1" not in stored and len(stored) == 64


def test_a_newer_connect_supersedes_the_older_state(db_url: str) -> None:
    acme = _tenant(db_url)
    _issue(db_url, acme, "first")
    _issue(db_url, acme, "second")
    assert _consume(db_url, acme, "first") == "unknown"
    assert _consume(db_url, acme, "second") == "accepted"
    assert _rows(db_url) == 1


def test_expired_states_are_refused_and_pruned_by_the_next_connect(db_url: str) -> None:
    acme, other = _tenant(db_url, "acme"), _tenant(db_url, "other")
    _issue(db_url, acme, "old", now=T0)
    assert _consume(db_url, acme, "old", now=T0 + TTL + timedelta(seconds=1)) == "expired"
    _issue(db_url, other, "fresh")
    assert _rows(db_url) == 1  # acme's expired row is gone, other's is the one left
    assert _consume(db_url, acme, "old", now=T0) == "unknown"
    assert _consume(db_url, other, "fresh") == "accepted"


def test_two_overlapping_uses_only_one_wins(db_url: str) -> None:
    """The first use's transaction is still open when the second arrives: the second waits
    for it and then finds the state spent."""
    acme = _tenant(db_url)
    _issue(db_url, acme, "raced")
    results: list[str] = []
    first = get_sessionmaker(db_url)()
    try:
        results.append(repo.consume_oauth_state(first, tenant_id=acme, nonce="raced"))
        second = threading.Thread(target=lambda: results.append(_consume(db_url, acme, "raced")))
        second.start()
        second.join(timeout=0.5)
        assert second.is_alive(), "the second use must wait for the first transaction"
        first.commit()
    finally:
        first.close()
    second.join(timeout=30)
    assert results == ["accepted", "already_used"]


def test_simultaneous_uses_only_one_wins(db_url: str) -> None:
    acme = _tenant(db_url)
    _issue(db_url, acme, "raced")
    barrier = threading.Barrier(4)
    results: list[str] = []

    def use() -> None:
        barrier.wait()
        results.append(_consume(db_url, acme, "raced"))

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["accepted"] + ["already_used"] * 3
