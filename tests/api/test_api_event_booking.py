"""POST /events: a business books a customer in through the API, judged by the assistant's own
check (hours, clashes, every booking rule); refusals are 409s with the reasons and times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TenantData

LONDON = ZoneInfo("Europe/London")
CUSTOMER = {"channel": "whatsapp", "platform_user_id": "447700900123", "display_name": "Ann"}


def next_wednesday(hour: int) -> datetime:
    today = datetime.now(LONDON).date()
    day = today + timedelta(days=7 - today.weekday() + 2)
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def book(client: TestClient, tenant: TenantData, **body: Any) -> Any:
    payload = {"customer": CUSTOMER, **body}
    return client.post("/api/v1/events", json=payload, headers=tenant.headers)


@pytest.fixture
def haircut(client: TestClient, tenant_a: TenantData) -> int:
    made = client.post("/api/v1/services", headers=tenant_a.headers, json={
        "name": "Haircut", "duration_minutes": 30, "price_cents": 2500, "currency": "GBP",
        "buffer_after_minutes": 10})  # fmt: skip
    return int(made.json()["id"])


def test_a_service_booking_takes_its_name_length_and_price(
    client: TestClient, tenant_a: TenantData, haircut: int
) -> None:
    start = next_wednesday(10)
    made = book(client, tenant_a, service_id=haircut, start=start.isoformat())
    assert made.status_code == 201, made.text
    event = made.json()
    assert (event["title"], event["price_cents"], event["currency"]) == ("Haircut", 2500, "GBP")
    assert datetime.fromisoformat(event["end"]) - datetime.fromisoformat(event["start"]) == (
        timedelta(minutes=30))  # fmt: skip
    assert event["status"] == "confirmed" and event["service_id"] == haircut


def test_a_clash_or_a_buffer_is_refused_with_the_nearest_times(
    client: TestClient, tenant_a: TenantData, haircut: int
) -> None:
    start = next_wednesday(10)
    assert book(client, tenant_a, service_id=haircut, start=start.isoformat()).status_code == 201
    clash = book(client, tenant_a, title="Colour", duration_minutes=60, start=start.isoformat())
    assert clash.status_code == 409
    assert "clashes with" in clash.json()["detail"]["detail"]
    assert clash.json()["detail"]["alternatives"]
    buffer = book(client, tenant_a, title="Trim", start=(start + timedelta(minutes=30)).isoformat())
    assert buffer.status_code == 409 and buffer.json()["detail"]["rules"] == ["buffer"]


def test_the_tenants_rules_apply(client: TestClient, tenant_a: TenantData) -> None:
    client.patch("/api/v1/tenant", headers=tenant_a.headers,
                 json={"booking_rules": {"max_advance_days": 3}})  # fmt: skip
    far = next_wednesday(11) + timedelta(weeks=2)
    refused = book(client, tenant_a, title="Consultation", start=far.isoformat())
    assert refused.status_code == 409
    assert refused.json()["detail"]["rules"] == ["max_advance"]
    assert "at most 3 days ahead" in refused.json()["detail"]["detail"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"start": "2030-01-01T10:00:00Z"}, 422),  # neither a title nor a service
        ({"title": "X", "start": "9999-12-31T23:59:00Z"}, 422),
        ({"title": "X", "start": "0001-01-01T00:00:00Z"}, 422),
        ({"title": "X", "start": "2030-01-01T10:00:00Z", "duration_minutes": 0}, 422),
        ({"service_id": 999999, "start": "2030-01-01T10:00:00Z"}, 404),
        ({"title": "X", "start": "2030-01-01T10:00:00Z", "tenant_id": 2}, 422),
    ],
)
def test_bad_requests_have_a_defined_answer(
    client: TestClient, tenant_a: TenantData, body: dict[str, Any], status: int
) -> None:
    assert book(client, tenant_a, **body).status_code == status
