"""Authentication, tenant onboarding and settings, API keys."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from booking_core.db.session import session_scope
from tests.api.conftest import ADMIN_KEY, TenantData, admin, bearer

NEW = {"name": "Acme Hair", "slug": "acme", "timezone": "America/New_York", "locale": "en_US"}


def test_admin_routes_answer_503_without_admin_key(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADMIN_API_KEY")
    response = client.post("/api/v1/tenants", json=NEW, headers=admin())
    assert response.status_code == 503
    assert response.json() == {"detail": "admin key not configured"}


def test_admin_key_missing_or_wrong(client: TestClient) -> None:
    assert client.get("/api/v1/tenants").status_code == 401
    wrong = client.get("/api/v1/tenants", headers=bearer(ADMIN_KEY + "x"))
    assert wrong.status_code == 403
    assert client.get("/api/v1/tenants", headers={"X-API-Key": ADMIN_KEY}).status_code == 200


def test_onboard_tenant_and_use_its_key(client: TestClient, db_settings: str) -> None:
    response = client.post(
        "/api/v1/tenants",
        json=NEW | {"business_hours": {"mon": ["08:00", "12:00"]}, "default_event_minutes": 45},
        headers=admin(),
    )
    assert response.status_code == 201
    body = response.json()
    key = body["api_key"]["key"]
    assert key.startswith("bk_") and len(key) > 40 and body["api_key"]["prefix"] == key[:10]
    tenant = body["tenant"]
    assert tenant["slug"] == "acme" and tenant["calendar_provider"] == "builtin"
    assert tenant["business_hours"] == {"mon": ["08:00", "12:00"]}
    assert tenant["google_calendar"] == {
        "connected": False,
        "calendar_id": None,
        "connected_at": None,
    }
    with session_scope(db_settings) as session:  # stored hashed, never in clear
        stored = session.execute(text("SELECT key_hash, prefix FROM api_keys")).all()
    assert [len(h) for h, _ in stored] == [64] and key not in str(stored)

    me = client.get("/api/v1/tenant", headers=bearer(key))
    assert me.status_code == 200 and me.json()["id"] == tenant["id"]
    assert client.get("/api/v1/tenant", headers={"X-API-Key": key}).status_code == 200
    assert client.get(f"/api/v1/tenants/{tenant['id']}", headers=admin()).json()["slug"] == "acme"
    assert [t["slug"] for t in client.get("/api/v1/tenants", headers=admin()).json()] == ["acme"]


def test_duplicate_slug_is_409(client: TestClient) -> None:
    assert client.post("/api/v1/tenants", json=NEW, headers=admin()).status_code == 201
    response = client.post("/api/v1/tenants", json=NEW, headers=admin())
    assert response.status_code == 409 and response.json() == {"detail": "slug already taken"}


@pytest.mark.parametrize(
    "change",
    [
        {"slug": "Bad Slug"},
        {"slug": "a:b"},
        {"timezone": "Mars/Olympus"},
        {"locale": "english"},
        {"name": ""},
        {"name": "x\x00y"},
        {"default_event_minutes": 0},
        {"business_hours": {"mon": ["17:00", "09:00"]}},
        {"business_hours": {"funday": ["09:00", "17:00"]}},
        {"business_hours": {"mon": ["9am", "5pm"]}},
        {"unknown": 1},
    ],
)
def test_invalid_tenant_is_422(client: TestClient, change: dict) -> None:
    response = client.post("/api/v1/tenants", json=NEW | change, headers=admin())
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("hours", "status"),
    [
        ({"fri": ["18:00", "24:00"]}, 200),  # open until midnight
        ({"sun": []}, 200),  # closed
        ({"mon": ["9:00", "17:00"]}, 422),  # not HH:MM
        ({"mon": ["09:00", "24:30"]}, 422),
    ],
)
def test_business_hours_follow_the_schedulers_rule(
    client: TestClient, tenant_a: TenantData, hours: dict, status: int
) -> None:
    """The API saves exactly what booking_core.scheduling.parse_business_hours reads."""
    response = client.patch(
        "/api/v1/tenant", json={"business_hours": hours}, headers=tenant_a.headers
    )
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["business_hours"] == hours


def test_tenant_routes_need_a_valid_key(client: TestClient, tenant_a: TenantData) -> None:
    assert client.get("/api/v1/tenant").status_code == 401
    assert client.get("/api/v1/tenant", headers=bearer("bk_nope")).status_code == 401
    assert (
        client.get(
            "/api/v1/tenant", headers={"Authorization": "Bearer ünïcode".encode("latin-1")}
        ).status_code
        == 401
    )
    assert client.get("/api/v1/tenant", headers=admin()).status_code == 401


def test_update_own_settings(client: TestClient, tenant_a: TenantData) -> None:
    response = client.patch(
        "/api/v1/tenant",
        json={
            "name": "Alpha Salon",
            "timezone": "Europe/Berlin",
            "default_event_minutes": 60,
            "business_hours": {"sat": ["10:00", "14:00"]},
            "locale": "de_DE",
        },
        headers=tenant_a.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["timezone"], body["default_event_minutes"], body["locale"]) == (
        "Alpha Salon",
        "Europe/Berlin",
        60,
        "de_DE",
    )
    assert body["business_hours"] == {"sat": ["10:00", "14:00"]}
    assert client.get("/api/v1/tenant", headers=tenant_a.headers).json()["name"] == "Alpha Salon"


def test_choosing_google_before_connecting_is_409(client: TestClient, tenant_a: TenantData) -> None:
    response = client.patch(
        "/api/v1/tenant", json={"calendar_provider": "google"}, headers=tenant_a.headers
    )
    assert response.status_code == 409
    bad = client.patch("/api/v1/tenant", json={"calendar_provider": "x"}, headers=tenant_a.headers)
    assert bad.status_code == 422
    null = client.patch("/api/v1/tenant", json={"name": None}, headers=tenant_a.headers)
    assert null.status_code == 422


def test_api_keys_create_list_revoke(client: TestClient, tenant_a: TenantData) -> None:
    created = client.post("/api/v1/api-keys", json={"name": "ci"}, headers=tenant_a.headers)
    assert created.status_code == 201
    second = created.json()
    listed = client.get("/api/v1/api-keys", headers=tenant_a.headers).json()
    assert [k["name"] for k in listed] == ["default", "ci"]
    assert all("key" not in k for k in listed)
    revoked = client.delete(f"/api/v1/api-keys/{second['id']}", headers=tenant_a.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/v1/tenant", headers=bearer(second["key"])).status_code == 401
    assert client.delete("/api/v1/api-keys/999999", headers=tenant_a.headers).status_code == 404


def test_admin_issues_a_key(client: TestClient, tenant_a: TenantData) -> None:
    response = client.post(
        f"/api/v1/tenants/{tenant_a.id}/api-keys", json={"name": "recovery"}, headers=admin()
    )
    assert response.status_code == 201
    assert (
        client.get("/api/v1/tenant", headers=bearer(response.json()["key"])).json()["id"]
        == tenant_a.id
    )
    missing = client.post("/api/v1/tenants/999999/api-keys", json={}, headers=admin())
    assert missing.status_code == 404
    assert client.get("/api/v1/tenants/999999", headers=admin()).status_code == 404
