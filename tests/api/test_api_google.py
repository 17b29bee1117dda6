"""Google Calendar connect: authorization URL with a tenant-bound, single-use state, the callback
against a stand-in token endpoint on 127.0.0.1 (replayed, superseded and concurrent states
refused), encrypted storage, disconnect."""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.core.security import issue_state
from booking_core.db import repository as repo
from booking_core.db.session import session_scope
from tests.api.conftest import FERNET_KEY, TenantData, box
from tests.api.standin import Recorded, StandIn

CLIENT_SECRET = "GOCSPX-client-secret-value"
REFRESH_TOKEN = "1//0g-refresh-token-from-google-secret"
ACCESS_TOKEN = "ya29.a0-access-token-secret"
REDIRECT = "https://admin.example.com/api/v1/calendar/google/callback"


@pytest.fixture
def google(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_ID", "123-abc.apps.googleusercontent.com")
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("GOOGLE_OAUTH_REDIRECT_URI", REDIRECT)
    monkeypatch.setenv("GOOGLE_OAUTH_TOKEN_URI", f"{standin.url}/token")

    def token(request: Recorded) -> tuple[int, dict]:
        form = request.form()
        if form.get("code") != "4/0good-code" or form.get("client_secret") != CLIENT_SECRET:
            return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
        return 200, {  # the shape of Google's token response
            "access_token": ACCESS_TOKEN,
            "expires_in": 3599,
            "refresh_token": REFRESH_TOKEN,
            "scope": "https://www.googleapis.com/auth/calendar",
            "token_type": "Bearer",
        }

    standin.on("POST", "/token", token)
    return standin


def _start(client: TestClient, tenant: TenantData) -> dict[str, str]:
    response = client.post("/api/v1/calendar/google/connect", headers=tenant.headers)
    assert response.status_code == 200, response.text
    url = urlsplit(response.json()["authorization_url"])
    assert (
        f"{url.scheme}://{url.netloc}{url.path}" == "https://accounts.google.com/o/oauth2/v2/auth"
    )
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def test_authorization_url(client: TestClient, tenant_a: TenantData, google: StandIn) -> None:
    query = _start(client, tenant_a)
    assert query["scope"] == "https://www.googleapis.com/auth/calendar"
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert query["response_type"] == "code" and query["redirect_uri"] == REDIRECT
    assert query["client_id"] == "123-abc.apps.googleusercontent.com"
    assert CLIENT_SECRET not in str(query)


def test_callback_stores_encrypted_refresh_token(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    tenant_b: TenantData,
    google: StandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    state = _start(client, tenant_a)["state"]
    response = client.get(
        "/api/v1/calendar/google/callback", params={"state": state, "code": "4/0good-code"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["provider"] == "google" and body["google"]["connected"] is True
    [call] = google.requests
    assert call.form() == {
        "code": "4/0good-code",
        "client_id": "123-abc.apps.googleusercontent.com",
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT,
        "grant_type": "authorization_code",
    }
    with session_scope(db_settings) as session:
        raw = str(session.execute(text("SELECT calendar_settings FROM tenants")).all())
        tenant = repo.get_tenant(session, tenant_id=tenant_a.id)
        other = repo.get_tenant(session, tenant_id=tenant_b.id)
        assert tenant is not None and other is not None
        section = tenant.calendar_settings["google"]
        assert set(section) == {"refresh_token_enc", "calendar_id", "connected_at"}
        assert section["calendar_id"] == "primary"
        assert box().decrypt(section["refresh_token_enc"]) == REFRESH_TOKEN
        assert tenant.calendar_provider == "google"
        assert other.calendar_provider == "builtin" and other.calendar_settings == {}
    assert REFRESH_TOKEN not in raw and ACCESS_TOKEN not in raw
    for secret in (REFRESH_TOKEN, ACCESS_TOKEN, CLIENT_SECRET):
        assert secret not in response.text and secret not in caplog.text

    status = client.get("/api/v1/calendar", headers=tenant_a.headers).json()
    assert status["google"]["connected"] is True and status["google"]["calendar_id"] == "primary"
    disconnected = client.delete("/api/v1/calendar/google", headers=tenant_a.headers)
    assert disconnected.status_code == 200
    assert disconnected.json() == {
        "provider": "builtin",
        "google": {"connected": False, "calendar_id": None, "connected_at": None},
    }
    with session_scope(db_settings) as session:
        tenant = repo.get_tenant(session, tenant_id=tenant_a.id)
        assert tenant is not None and "google" not in tenant.calendar_settings


@pytest.mark.parametrize(
    "params,status",
    [
        ({"code": "4/0good-code"}, 400),
        ({"state": "forged.state", "code": "4/0good-code"}, 400),
        ({"state": "STATE", "code": "4/0bad-code"}, 400),
        ({"state": "STATE", "error": "access_denied"}, 400),
        ({"state": "STATE"}, 400),
        ({"state": "EXPIRED", "code": "4/0good-code"}, 400),
    ],
)
def test_callback_errors(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    google: StandIn,
    params: dict,
    status: int,
) -> None:
    state = _start(client, tenant_a)["state"]
    expired = issue_state(
        tenant_id=tenant_a.id, secret=FERNET_KEY, ttl_seconds=600, now=time.time() - 3600
    ).value
    params = {k: {"STATE": state, "EXPIRED": expired}.get(v, v) for k, v in params.items()}
    response = client.get("/api/v1/calendar/google/callback", params=params)
    assert response.status_code == status, response.text
    with session_scope(db_settings) as session:
        tenant = repo.get_tenant(session, tenant_id=tenant_a.id)
        assert tenant is not None and tenant.calendar_provider == "builtin"


def test_tampered_state_cannot_switch_tenant(
    client: TestClient, tenant_a: TenantData, tenant_b: TenantData, google: StandIn
) -> None:
    _payload, mac = _start(client, tenant_a)["state"].split(".")
    forged = issue_state(tenant_id=tenant_b.id, secret="another-key", ttl_seconds=600).value
    response = client.get(
        "/api/v1/calendar/google/callback",
        params={"state": f"{forged.split('.')[0]}.{mac}", "code": "4/0good-code"},
    )
    assert response.status_code == 400
    assert google.requests == []


def test_token_endpoint_down_is_502(
    client: TestClient, tenant_a: TenantData, google: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = _start(client, tenant_a)["state"]
    monkeypatch.setenv("GOOGLE_OAUTH_TOKEN_URI", "http://127.0.0.1:9/token")
    response = client.get(
        "/api/v1/calendar/google/callback", params={"state": state, "code": "4/0good-code"}
    )
    assert response.status_code == 502


def test_not_configured_is_503(client: TestClient, tenant_a: TenantData) -> None:
    assert (
        client.post("/api/v1/calendar/google/connect", headers=tenant_a.headers).status_code == 503
    )
    assert client.get("/api/v1/calendar/google/callback").status_code == 503


def _calendar_settings(db_url: str, tenant_id: int) -> dict:
    with session_scope(db_url) as session:
        tenant = repo.get_tenant(session, tenant_id=tenant_id)
        assert tenant is not None
        return dict(tenant.calendar_settings)


def test_replayed_callback_is_refused_and_changes_nothing(
    client: TestClient, db_settings: str, tenant_a: TenantData, google: StandIn
) -> None:
    params = {"state": _start(client, tenant_a)["state"], "code": "4/0good-code"}
    first = client.get("/api/v1/calendar/google/callback", params=params)
    assert first.status_code == 200, first.text
    stored = _calendar_settings(db_settings, tenant_a.id)

    replay = client.get("/api/v1/calendar/google/callback", params=params)

    assert replay.status_code == 409
    assert replay.json() == {"detail": "this authorization link was already used: start again"}
    assert len(google.requests) == 1  # the replay never reached the token endpoint
    assert _calendar_settings(db_settings, tenant_a.id) == stored


def test_superseded_state_is_refused(
    client: TestClient, db_settings: str, tenant_a: TenantData, google: StandIn
) -> None:
    older = _start(client, tenant_a)["state"]
    newer = _start(client, tenant_a)["state"]

    refused = client.get(
        "/api/v1/calendar/google/callback", params={"state": older, "code": "4/0good-code"}
    )

    assert refused.status_code == 400
    assert "a newer one replaced it" in refused.json()["detail"]
    assert google.requests == [] and _calendar_settings(db_settings, tenant_a.id) == {}
    accepted = client.get(
        "/api/v1/calendar/google/callback", params={"state": newer, "code": "4/0good-code"}
    )
    assert accepted.status_code == 200, accepted.text


def test_denied_authorization_spends_the_state(
    client: TestClient, tenant_a: TenantData, google: StandIn
) -> None:
    state = _start(client, tenant_a)["state"]
    denied = client.get(
        "/api/v1/calendar/google/callback", params={"state": state, "error": "access_denied"}
    )
    assert denied.status_code == 400
    reused = client.get(
        "/api/v1/calendar/google/callback", params={"state": state, "code": "4/0good-code"}
    )
    assert reused.status_code == 409 and google.requests == []


def test_concurrent_callbacks_with_one_state_connect_once(
    client: TestClient, db_settings: str, tenant_a: TenantData, google: StandIn
) -> None:
    params = {"state": _start(client, tenant_a)["state"], "code": "4/0good-code"}
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def call() -> None:
        barrier.wait()
        statuses.append(client.get("/api/v1/calendar/google/callback", params=params).status_code)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 409]
    assert len(google.requests) == 1


def test_docs_and_openapi_document_the_replay_answer(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    callback = schema["paths"]["/api/v1/calendar/google/callback"]["get"]
    assert {"200", "400", "409", "502"} <= set(callback["responses"])
