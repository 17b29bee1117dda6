"""Liveness and readiness endpoints."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app


def test_health(db_url: str) -> None:
    with TestClient(create_app(database_url=db_url)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_database_answers(db_url: str) -> None:
    with TestClient(create_app(database_url=db_url)) as client:
        response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_not_ready_when_database_is_unreachable(tmp_path: Path) -> None:
    # A directory cannot be opened as a SQLite file.
    app = create_app(database_url=f"sqlite:///{tmp_path}")
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_ready_uses_settings_when_no_url_given(db_settings: str) -> None:
    with TestClient(create_app()) as client:
        assert client.get("/ready").status_code == 200
