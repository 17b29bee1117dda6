"""Liveness and readiness endpoints."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.standin import StandIn


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


def test_ready_checks_rasa_model(
    db_url: str, standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASA_URL", standin.url)
    standin.on(
        "GET",
        "/status",
        (
            200,
            {
                "model_file": "models/booking.tar.gz",
                "model_id": "abc",
                "num_active_training_jobs": 0,
            },
        ),
    )
    with TestClient(create_app(database_url=db_url)) as client:
        response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "rasa": "ok"}


@pytest.mark.parametrize(
    "reply,reason",
    [
        ((409, {"version": "3.6.21", "status": "failure", "reason": "NoAgent"}), "no model loaded"),
        ((200, {"model_file": None}), "no model loaded"),
        ((500, {}), "HTTP 500"),
    ],
)
def test_not_ready_without_rasa_model(
    db_url: str, standin: StandIn, monkeypatch: pytest.MonkeyPatch, reply: tuple, reason: str
) -> None:
    monkeypatch.setenv("RASA_URL", standin.url)
    standin.on("GET", "/status", reply)
    with TestClient(create_app(database_url=db_url)) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "rasa": reason}


def test_not_ready_when_rasa_is_unreachable(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    with TestClient(create_app(database_url=db_url)) as client:
        response = client.get("/ready")
    assert response.status_code == 503 and response.json()["rasa"] == "unreachable"


def test_ready_reports_each_process_it_depends_on(
    db_url: str, standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """READY_DEPENDENCIES: token-free health URLs (Rasa's `/`), one state per process."""
    standin.on("GET", "/", (200, {}))
    standin.on("GET", "/health", (500, {}))
    monkeypatch.setenv("READY_DEPENDENCIES", f"rasa-0={standin.url}/, actions-0="
                       f"{standin.url}/health,ingest=http://127.0.0.1:1/health,broken")  # fmt: skip
    with TestClient(create_app(database_url=db_url)) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["processes"] == {
        "rasa-0": "ok",
        "actions-0": "HTTP 500",
        "ingest": "unreachable",
    }
    monkeypatch.setenv("READY_DEPENDENCIES", f"rasa-0={standin.url}/")
    with TestClient(create_app(database_url=db_url)) as client:
        response = client.get("/ready")
    assert response.status_code == 200 and response.json()["processes"] == {"rasa-0": "ok"}
