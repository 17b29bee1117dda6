"""Services and booking rules through the admin API: crud, validation by the scheduler's own
parsers, names unique per tenant, tenant profile fields, and the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TenantData

HAIRCUT = {"name": "Haircut", "duration_minutes": 30, "synonyms": ["cut", "trim", "Cut"],
           "price_cents": 2500, "currency": "GBP", "buffer_after_minutes": 10}  # fmt: skip


def create(client: TestClient, tenant: TenantData, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/services", json=body, headers=tenant.headers)


def test_create_read_list_update_delete(client: TestClient, tenant_a: TenantData) -> None:
    made = create(client, tenant_a, HAIRCUT)
    assert made.status_code == 201, made.text
    service = made.json()
    assert service["synonyms"] == ["cut", "trim"]  # duplicates folded
    assert (service["price_cents"], service["currency"], service["active"]) == (2500, "GBP", True)
    assert service["buffer_before_minutes"] is None  # null: the tenant's
    path = f"/api/v1/services/{service['id']}"
    assert client.get(path, headers=tenant_a.headers).json() == service
    massage = create(client, tenant_a, {"name": "Massage", "duration_minutes": 60, "position": -1})
    names = [s["name"] for s in client.get("/api/v1/services", headers=tenant_a.headers).json()]
    assert names[:2] == ["Massage", "Haircut"]  # position first

    changes = {"price_cents": None, "currency": None, "active": False,
               "booking_rules": {"daily_cap": 4}}  # fmt: skip
    patched = client.patch(path, json=changes, headers=tenant_a.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["price_cents"] is None and patched.json()["booking_rules"] == {
        "daily_cap": 4}  # fmt: skip
    inactive = client.get("/api/v1/services?active=false", headers=tenant_a.headers).json()
    assert [s["name"] for s in inactive] == ["Haircut"]

    assert client.delete(path, headers=tenant_a.headers).status_code == 204
    assert client.get(path, headers=tenant_a.headers).status_code == 404
    assert client.delete(path, headers=tenant_a.headers).status_code == 404
    assert massage.status_code == 201


def test_names_are_unique_per_tenant_ignoring_case(
    client: TestClient, tenant_a: TenantData, tenant_b: TenantData
) -> None:
    assert create(client, tenant_a, HAIRCUT).status_code == 201
    taken = create(client, tenant_a, HAIRCUT | {"name": "  haircut "})
    assert taken.status_code == 409 and "exists" in taken.json()["detail"]
    assert create(client, tenant_b, HAIRCUT).status_code == 201  # another tenant may
    other = create(client, tenant_a, {"name": "Colour", "duration_minutes": 90}).json()
    renamed = client.patch(f"/api/v1/services/{other['id']}", json={"name": "HAIRCUT"},
                           headers=tenant_a.headers)  # fmt: skip
    assert renamed.status_code == 409


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"booking_rules": {"daily_cap": 0}}, "daily_cap must be between"),
        ({"booking_rules": {"notice": 5}}, "unknown rule"),
        ({"business_hours": {"mon": ["17:00", "09:00"]}}, "not after"),
        ({"price_cents": 100}, "needs its currency"),
        ({"currency": "pounds"}, "currency"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"synonyms": ["   "]}, "synonym"),
        ({"name": "bad\x00name"}, "name"),
        ({"colour": "red"}, "extra fields not permitted"),
    ],
)
def test_invalid_services_are_refused_with_a_reason(
    client: TestClient, tenant_a: TenantData, body: dict[str, Any], words: str
) -> None:
    response = create(client, tenant_a, {"name": "X", "duration_minutes": 30} | body)
    assert response.status_code == 422
    assert words in response.text


def test_patch_refuses_nulls_where_a_value_is_needed(
    client: TestClient, tenant_a: TenantData
) -> None:
    service = create(client, tenant_a, HAIRCUT).json()
    path = f"/api/v1/services/{service['id']}"
    for field in ("name", "duration_minutes", "active"):
        response = client.patch(path, json={field: None}, headers=tenant_a.headers)
        assert response.status_code == 422 and "cannot be null" in response.text
    no_currency = client.patch(path, json={"currency": None}, headers=tenant_a.headers)
    assert no_currency.status_code == 422 and "currency" in no_currency.text


def test_tenant_rules_and_profile(client: TestClient, tenant_a: TenantData) -> None:
    body = {"booking_rules": {"min_notice_minutes": 120, "change_cutoff_hours": 24},
            "address": "1 High Street, Bristol", "map_url": "https://maps.example/salon",
            "phone": "+44 117 496 0000", "email": "hello@salon.example"}  # fmt: skip
    response = client.patch("/api/v1/tenant", json=body, headers=tenant_a.headers)
    assert response.status_code == 200, response.text
    assert {k: response.json()[k] for k in body} == body
    cleared = client.patch("/api/v1/tenant", json={"phone": None}, headers=tenant_a.headers)
    assert cleared.json()["phone"] is None and cleared.json()["address"] == body["address"]
    bad_bodies = [
        {"booking_rules": {"max_advance_days": -1}},
        {"booking_rules": None},
        {"map_url": "javascript:alert(1)"},
        {"email": "nobody"},
        {"phone": "call me"},
    ]
    for bad in bad_bodies:
        refused = client.patch("/api/v1/tenant", json=bad, headers=tenant_a.headers)
        assert refused.status_code == 422, bad


def test_routes_are_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/v1/services"]) == {"get", "post"}
    assert set(paths["/api/v1/services/{service_id}"]) == {"get", "patch", "delete"}
