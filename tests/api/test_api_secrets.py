"""Secrets never appear in responses or logs: after storing channel secrets, a Google refresh
token and API keys, every tenant GET route and error path is scanned for the raw strings."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from booking_core.db import repository as repo
from booking_core.db.session import session_scope
from tests.api.conftest import ADMIN_KEY, FERNET_KEY, TenantData, admin, box
from tests.api.standin import Platforms

ACCESS_TOKEN = "EAAG-whatsapp-access-token-XYZ123"
APP_SECRET = "meta-app-secret-XYZ456"
VERIFY_TOKEN = "verify-token-XYZ789"
REFRESH_TOKEN = "1//google-refresh-token-XYZ000"


def test_no_secret_in_any_response_or_log(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    platforms: Platforms,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    platforms.accept(
        {"channel": "whatsapp", "phone_number_id": "123", "access_token": ACCESS_TOKEN}
    )
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_ID", "client-id")
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_SECRET", "google-client-secret-XYZ")
    monkeypatch.setenv("GOOGLE_OAUTH_REDIRECT_URI", "https://admin.example/cb")
    secrets = [
        ACCESS_TOKEN,
        APP_SECRET,
        VERIFY_TOKEN,
        REFRESH_TOKEN,
        FERNET_KEY,
        ADMIN_KEY,
        "google-client-secret-XYZ",
        "alpha-bot-token",
        "alpha-webhook-secret",
    ]
    responses = []
    account = client.post(
        "/api/v1/channel-accounts",
        json={
            "channel": "whatsapp",
            "phone_number_id": "123",
            "access_token": ACCESS_TOKEN,
            "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN,
        },
        headers=tenant_a.headers,
    )
    responses.append(account)
    with session_scope(db_settings) as session:
        repo.set_google_connection(
            session, tenant_id=tenant_a.id, refresh_token=REFRESH_TOKEN, box=box()
        )
    account_id = account.json()["id"]
    for path in (
        "/api/v1/tenant",
        "/api/v1/api-keys",
        "/api/v1/channel-accounts",
        f"/api/v1/channel-accounts/{account_id}",
        f"/api/v1/channel-accounts/{tenant_a.account_id}",
        "/api/v1/contacts",
        "/api/v1/messages",
        "/api/v1/events",
        f"/api/v1/events/{tenant_a.event_id}",
        "/api/v1/calendar",
        f"/api/v1/contacts/{tenant_a.contact_id}/export",
        "/api/v1/feed",
    ):
        responses.append(client.get(path, headers=tenant_a.headers))
    responses.append(client.get("/api/v1/tenants", headers=admin()))
    responses.append(client.post("/api/v1/calendar/google/connect", headers=tenant_a.headers))
    # Error paths that see secrets: bad bodies, a wrong admin key, malformed JSON.
    responses.append(
        client.patch(
            f"/api/v1/channel-accounts/{account_id}",
            json={"access_token": ACCESS_TOKEN + " x"},
            headers=tenant_a.headers,
        )
    )
    responses.append(
        client.post(
            "/api/v1/channel-accounts",
            json={"channel": "whatsapp", "access_token": ACCESS_TOKEN},
            headers=tenant_a.headers,
        )
    )
    responses.append(
        client.post(
            "/api/v1/channel-accounts",
            content=f'{{"access_token": "{ACCESS_TOKEN}"'.encode(),
            headers=tenant_a.headers | {"Content-Type": "application/json"},
        )
    )
    responses.append(client.get("/api/v1/tenants", headers={"X-API-Key": ADMIN_KEY + "x"}))
    responses.append(client.get("/openapi.json"))

    assert all(r.status_code < 500 for r in responses)
    for response in responses:
        for secret in secrets:
            assert secret not in response.text, (response.request.url, secret)
            assert all(secret not in v for v in response.headers.values())
    for secret in secrets:
        assert secret not in caplog.text
