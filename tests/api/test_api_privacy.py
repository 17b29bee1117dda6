"""Privacy: export a contact's data as JSON; erase a contact with its messages, events and Rasa
tracker data (an SQL tracker store's `events` rows and the Rasa server's tracker)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from booking_core.db import repository as repo
from booking_core.db.session import session_scope
from tests.api.conftest import TenantData
from tests.api.standin import StandIn


@pytest.fixture
def tracker_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An SQL tracker store shaped like Rasa's (table `events`, column `sender_id`)."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                "action_name VARCHAR(255), data TEXT)"
            )
        )
        for sender in (
            "alpha:telegram:ua",
            "alpha:telegram:ua",
            "bravo:telegram:ub",
            "ua",
            "alpha:rest:ua",
        ):
            connection.execute(
                text("INSERT INTO events (sender_id, type_name, data) VALUES (:s, 'user', '{}')"),
                {"s": sender},
            )
    engine.dispose()
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    return url


def _tracker_senders(url: str) -> list[str]:
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sender_id FROM events ORDER BY id")).scalars().all()
    engine.dispose()
    return list(rows)


def test_export(client: TestClient, tenant_a: TenantData) -> None:
    response = client.get(
        f"/api/v1/contacts/{tenant_a.contact_id}/export", headers=tenant_a.headers
    )
    assert response.status_code == 200
    data = response.json()
    assert data["tenant"]["slug"] == "alpha"
    assert data["contact"]["platform_user_id"] == "ua"
    assert data["contact"]["rasa_sender_ids"] == ["alpha:telegram:ua"]
    assert [m["text"] for m in data["messages"]] == ["book a haircut for alpha", "Booked!"]
    assert [(e["uid"], e["location"]) for e in data["events"]] == [(tenant_a.event_uid, None)]
    assert client.get("/api/v1/contacts/424242/export", headers=tenant_a.headers).status_code == 404


def test_erase_everywhere(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    tenant_b: TenantData,
    tracker_store: str,
    standin: StandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RASA_URL", standin.url)
    monkeypatch.setenv("RASA_AUTH_TOKEN", "rasa-token")
    standin.on("PUT", "/conversations/*", (200, {"sender_id": "x", "events": []}))
    standin.on("GET", "/conversations/*", (200, {"sender_id": "x", "events": []}))
    response = client.delete(f"/api/v1/contacts/{tenant_a.contact_id}", headers=tenant_a.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["deleted_messages"], body["deleted_events"]) == (2, 1)
    assert body["tracker"]["sender_ids"] == ["alpha:telegram:ua"]
    assert body["tracker"]["sql_events_deleted"] == 2
    put, get = standin.requests
    # The id as Rasa's router reads it: Sanic does not decode %3A.
    assert put.method == "PUT" and put.path == "/conversations/alpha:telegram:ua/tracker/events"
    assert put.json() == [] and put.query == {"token": ["rasa-token"]}
    assert get.method == "GET" and get.path == "/conversations/alpha:telegram:ua/tracker"
    # Only this contact's data is gone: tenant B and the other users "ua" are untouched.
    assert _tracker_senders(tracker_store) == ["bravo:telegram:ub", "ua", "alpha:rest:ua"]
    with session_scope(db_settings) as session:
        assert (
            repo.get_contact(session, tenant_id=tenant_a.id, contact_id=tenant_a.contact_id) is None
        )
        assert repo.list_message_page(session, tenant_id=tenant_a.id) == []
        assert repo.list_event_page(session, tenant_id=tenant_a.id) == []
        assert len(repo.list_message_page(session, tenant_id=tenant_b.id)) == 2
        assert len(repo.list_event_page(session, tenant_id=tenant_b.id)) == 1
    assert client.get(f"/api/v1/events/{tenant_a.event_uid}.ics").status_code == 404
    again = client.delete(f"/api/v1/contacts/{tenant_a.contact_id}", headers=tenant_a.headers)
    assert again.status_code == 404


def test_erase_rest_user_uses_the_rest_namespace(
    client: TestClient, db_settings: str, tenant_a: TenantData, tracker_store: str
) -> None:
    with session_scope(db_settings) as session:
        contact = repo.upsert_contact(
            session, tenant_id=tenant_a.id, channel="rest", platform_user_id="ua"
        )
        session.flush()
        contact_id = contact.id
    response = client.delete(f"/api/v1/contacts/{contact_id}", headers=tenant_a.headers)
    assert response.status_code == 200
    assert response.json()["tracker"]["sender_ids"] == ["alpha:rest:ua"]
    assert "alpha:rest:ua" not in _tracker_senders(tracker_store)
    assert {"alpha:telegram:ua", "ua"} <= set(_tracker_senders(tracker_store))


def test_erase_without_tracker_configuration_reports_memory(
    client: TestClient, tenant_a: TenantData
) -> None:
    response = client.delete(f"/api/v1/contacts/{tenant_a.contact_id}", headers=tenant_a.headers)
    assert response.status_code == 200
    tracker = response.json()["tracker"]
    assert tracker["sql_tracker_store"] == "not configured"
    assert tracker["rasa_server"] == "not configured"
    assert "in-memory" in tracker["notes"][0] and "memory" in tracker["notes"][0]


def test_rasa_failure_is_502_and_keeps_the_contact(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    standin: StandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RASA_URL", standin.url)
    standin.on("PUT", "/conversations/*", (500, {"status": "failure"}))
    response = client.delete(f"/api/v1/contacts/{tenant_a.contact_id}", headers=tenant_a.headers)
    assert response.status_code == 502
    assert "tracker data not erased" in response.json()["detail"]
    with session_scope(db_settings) as session:
        assert (
            repo.get_contact(session, tenant_id=tenant_a.id, contact_id=tenant_a.contact_id)
            is not None
        )


def test_a_tracker_still_holding_user_messages_is_502_and_keeps_the_contact(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    standin: StandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What happened with the id quoted wrongly: the reset "succeeded" on another conversation.
    monkeypatch.setenv("RASA_URL", standin.url)
    standin.on("PUT", "/conversations/*", (200, {"events": []}))
    standin.on("GET", "/conversations/*", (200, {"events": [{"event": "user", "text": "hi"}]}))
    response = client.delete(f"/api/v1/contacts/{tenant_a.contact_id}", headers=tenant_a.headers)
    assert response.status_code == 502
    assert "still holds 1 user message" in response.json()["detail"]
    with session_scope(db_settings) as session:
        assert repo.get_contact(session, tenant_id=tenant_a.id,
                                contact_id=tenant_a.contact_id) is not None  # fmt: skip


def test_erase_removes_the_windowed_stores_checkpoints(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    tracker_store: str,
    standin: StandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.core.rasa import CHECKPOINT_TABLE
    from booking_core.rasa_stores.event_logs import CHECKPOINTS

    assert CHECKPOINTS.name == CHECKPOINT_TABLE
    engine = create_engine(tracker_store, future=True)
    CHECKPOINTS.create(engine)
    with engine.begin() as connection:
        for sender in ("alpha:telegram:ua", "bravo:telegram:ub"):
            connection.execute(
                CHECKPOINTS.insert().values(sender_id=sender, after_event_id=1, prefix="[]")
            )
    monkeypatch.setenv("RASA_URL", standin.url)
    monkeypatch.setenv("RASA_AUTH_TOKEN", "rasa-token")
    standin.on("PUT", "/conversations/*", (200, {"sender_id": "x", "events": []}))
    standin.on("GET", "/conversations/*", (200, {"sender_id": "x", "events": []}))
    response = client.delete(f"/api/v1/contacts/{tenant_a.contact_id}", headers=tenant_a.headers)
    assert response.status_code == 200, response.text
    with engine.connect() as connection:
        left = connection.execute(text("SELECT sender_id FROM tracker_checkpoints")).scalars()
        assert list(left) == ["bravo:telegram:ub"]
    engine.dispose()
