"""Tenant isolation, for every route: tenant A's key can neither read nor change tenant B's
resources, and A's key opens no admin route. The table must list every route of the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.core.security import read_state
from api.main import create_app
from booking_core.db import repository as repo
from booking_core.db.models import ApiKey, CalendarEvent, ChannelAccount, Contact, Message, Tenant
from booking_core.db.service_model import Service
from booking_core.db.session import session_scope
from tests.api.conftest import FERNET_KEY, TenantData, box

#: Routes open without a key (capability URLs and probes) and admin-key routes.
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/api/v1/events/{uid}.ics"),
    ("GET", "/api/v1/feeds/{feed_token}.ics"),
    ("GET", "/api/v1/calendar/google/callback"),
}
ADMIN = {
    ("POST", "/api/v1/tenants"),
    ("GET", "/api/v1/tenants"),
    ("GET", "/api/v1/tenants/{tenant_id}"),
    ("POST", "/api/v1/tenants/{tenant_id}/api-keys"),
}


@dataclass(frozen=True)
class Case:
    """A call with A's key aimed at B; `expect` is the status, `absent` lists must not show B."""

    method: str
    route: str
    path: str  # with {b.*} placeholders
    expect: int
    body: Any = None
    list_of_b: str | None = None  # attribute of B whose id must not appear in the response


CASES = [
    Case("GET", "/api/v1/tenant", "/api/v1/tenant", 200),
    Case("PATCH", "/api/v1/tenant", "/api/v1/tenant", 200, {"name": "Renamed"}),
    Case("GET", "/api/v1/api-keys", "/api/v1/api-keys", 200, list_of_b="key_id"),
    Case("POST", "/api/v1/api-keys", "/api/v1/api-keys", 201, {"name": "second"}),
    Case("DELETE", "/api/v1/api-keys/{key_id}", "/api/v1/api-keys/{b.key_id}", 404),
    Case(
        "GET", "/api/v1/channel-accounts", "/api/v1/channel-accounts", 200, list_of_b="account_id"
    ),
    Case(
        "POST",
        "/api/v1/channel-accounts",
        "/api/v1/channel-accounts",
        409,
        {"channel": "telegram", "bot_token": "{b.bot_id}:taken-over-token-0123456789"},
    ),
    Case(
        "GET",
        "/api/v1/channel-accounts/{account_id}",
        "/api/v1/channel-accounts/{b.account_id}",
        404,
    ),
    Case(
        "PATCH",
        "/api/v1/channel-accounts/{account_id}",
        "/api/v1/channel-accounts/{b.account_id}",
        404,
        {"bot_token": "{b.bot_id}:taken-over-token-0123456789"},
    ),
    Case(
        "DELETE",
        "/api/v1/channel-accounts/{account_id}",
        "/api/v1/channel-accounts/{b.account_id}",
        404,
    ),
    Case(
        "POST",
        "/api/v1/channel-accounts/{account_id}/telegram-webhook",
        "/api/v1/channel-accounts/{b.account_id}/telegram-webhook",
        404,
        {"url": "https://attacker.example/hook"},
    ),
    Case("GET", "/api/v1/contacts", "/api/v1/contacts", 200, list_of_b="contact_id"),
    Case("GET", "/api/v1/contacts", "/api/v1/contacts?q=bravo", 200, list_of_b="contact_id"),
    Case("GET", "/api/v1/contacts/{contact_id}", "/api/v1/contacts/{b.contact_id}", 404),
    Case(
        "GET",
        "/api/v1/contacts/{contact_id}/messages",
        "/api/v1/contacts/{b.contact_id}/messages",
        404,
    ),
    Case(
        "GET", "/api/v1/contacts/{contact_id}/export", "/api/v1/contacts/{b.contact_id}/export", 404
    ),
    Case("DELETE", "/api/v1/contacts/{contact_id}", "/api/v1/contacts/{b.contact_id}", 404),
    Case("GET", "/api/v1/messages", "/api/v1/messages", 200, list_of_b="message_ids"),
    Case(
        "GET",
        "/api/v1/messages",
        "/api/v1/messages?contact_id={b.contact_id}",
        200,
        list_of_b="message_ids",
    ),
    Case("GET", "/api/v1/events", "/api/v1/events", 200, list_of_b="event_id"),
    Case(
        "GET",
        "/api/v1/events",
        "/api/v1/events?contact_id={b.contact_id}",
        200,
        list_of_b="event_id",
    ),
    Case("GET", "/api/v1/events/{event_id:int}", "/api/v1/events/{b.event_id}", 404),
    Case(
        "POST",
        "/api/v1/events",
        "/api/v1/events",
        404,
        {
            "customer": {"channel": "telegram", "platform_user_id": "ub"},
            "service_id": "{b.service_id}",
            "start": "2030-07-03T10:00:00Z",
        },
    ),
    Case("GET", "/api/v1/calendar", "/api/v1/calendar", 200),
    Case("POST", "/api/v1/calendar/google/connect", "/api/v1/calendar/google/connect", 200),
    Case("DELETE", "/api/v1/calendar/google", "/api/v1/calendar/google", 200),
    Case("GET", "/api/v1/feed", "/api/v1/feed", 200),
    Case("GET", "/api/v1/services", "/api/v1/services", 200, list_of_b="service_id"),
    Case("POST", "/api/v1/services", "/api/v1/services", 201, {"name": "C", "duration_minutes": 5}),
    Case("GET", "/api/v1/services/{service_id}", "/api/v1/services/{b.service_id}", 404),
    Case(
        "PATCH",
        "/api/v1/services/{service_id}",
        "/api/v1/services/{b.service_id}",
        404,
        {"price_cents": 1, "currency": "GBP"},
    ),
    Case("DELETE", "/api/v1/services/{service_id}", "/api/v1/services/{b.service_id}", 404),
    Case("POST", "/api/v1/feed/rotate", "/api/v1/feed/rotate", 200),
]


def _fill(template: Any, b: TenantData) -> Any:
    values = {f"b.{k}": v for k, v in vars(b).items()} | {"b.bot_id": 1000 + b.id}
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", str(value))
        return template
    if isinstance(template, dict):
        return {k: _fill(v, b) for k, v in template.items()}
    return template


def _snapshot(url: str, tenant_id: int) -> dict[str, Any]:
    """Everything stored for one tenant, to compare before and after."""

    def rows(model: Any) -> list[dict[str, Any]]:
        found = session.execute(
            select(model).where(model.tenant_id == tenant_id).order_by(model.id)
        ).scalars()
        return [{c.name: getattr(r, c.key) for c in model.__table__.columns} for r in found]

    with session_scope(url) as session:
        tenant = session.get(Tenant, tenant_id)
        return {
            "tenant": {c.name: getattr(tenant, c.key) for c in Tenant.__table__.columns},
            "contacts": rows(Contact),
            "messages": rows(Message),
            "events": rows(CalendarEvent),
            "accounts": rows(ChannelAccount),
            "keys": rows(ApiKey),
            "services": rows(Service),
        }


def test_every_route_is_covered() -> None:
    routes = {
        (method, route.path)
        for route in create_app().routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    tested = {(c.method, c.route) for c in CASES}
    assert routes - PUBLIC - ADMIN - tested == set()
    assert tested | PUBLIC | ADMIN <= routes


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_tenant_a_cannot_reach_tenant_b(
    case: Case,
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    tenant_b: TenantData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_ID", "client-id")
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_SECRET", "client-secret-value")
    monkeypatch.setenv("GOOGLE_OAUTH_REDIRECT_URI", "https://admin.example/cb")
    with session_scope(db_settings) as session:  # B uses Google: A's disconnect must not touch it
        repo.set_google_connection(
            session, tenant_id=tenant_b.id, refresh_token="b-refresh-token", box=box()
        )
    before = _snapshot(db_settings, tenant_b.id)

    response = client.request(
        case.method,
        _fill(case.path, tenant_b),
        json=_fill(case.body, tenant_b),
        headers=tenant_a.headers,
    )

    assert response.status_code == case.expect, response.text
    assert _snapshot(db_settings, tenant_b.id) == before
    text = response.text
    assert tenant_b.slug not in text and "bravo" not in text.lower()
    assert tenant_b.feed_token not in text
    if case.list_of_b:
        items = response.json()
        items = items["items"] if isinstance(items, dict) else items
        ids = getattr(tenant_b, case.list_of_b)
        ids = ids if isinstance(ids, list) else [ids]
        assert not {item["id"] for item in items} & set(ids)
    if case.route == "/api/v1/calendar/google/connect":
        state = response.json()["authorization_url"].split("state=")[1].split("&")[0]
        assert read_state(state, secret=FERNET_KEY).tenant_id == tenant_a.id
    # B's own key still works on B's resources.
    assert (
        client.get(f"/api/v1/contacts/{tenant_b.contact_id}", headers=tenant_b.headers).json()["id"]
        == tenant_b.contact_id
    )


@pytest.mark.parametrize("method,path", sorted(ADMIN))
def test_tenant_key_opens_no_admin_route(
    method: str, path: str, client: TestClient, tenant_a: TenantData, tenant_b: TenantData
) -> None:
    response = client.request(
        method,
        path.replace("{tenant_id}", str(tenant_b.id)),
        json={"name": "x", "slug": "evil"} if method == "POST" else None,
        headers=tenant_a.headers,
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "admin key required"}
