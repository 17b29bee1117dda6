"""Admin-API fixtures: an app on the per-test database, the admin key, Fernet keys, two tenants
with data (A and B) and a stand-in HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from booking_core.crypto import SecretBox, generate_key
from booking_core.db import repository as repo
from booking_core.db.repository import ChannelSecrets
from booking_core.db.session import session_scope
from tests.api.standin import (
    INSTAGRAM_PREFIX,
    WHATSAPP_PREFIX,
    Platforms,
    StandIn,
    standin_server,
)

ADMIN_KEY = "admin-" + "k" * 40
FERNET_KEY = generate_key()
START = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)

API_ENV = (
    "ADMIN_API_KEY",
    "SECRET_KEYS",
    "GOOGLE_OAUTH_CLIENT_ID",
    "GOOGLE_OAUTH_CLIENT_SECRET",
    "GOOGLE_OAUTH_REDIRECT_URI",
    "GOOGLE_OAUTH_AUTH_URI",
    "GOOGLE_OAUTH_TOKEN_URI",
    "OAUTH_STATE_SECRET",
    "RASA_URL",
    "RASA_TOKEN",
    "TRACKER_STORE_URL",
    "TELEGRAM_API_URL",
    "TELEGRAM_WEBHOOK_URL",
    "WHATSAPP_API_URL",
    "INSTAGRAM_API_URL",
    "WHATSAPP_PHONE_NUMBER_ID",
    "INSTAGRAM_PAGE_ID",
    "TELEGRAM_BOT_TOKEN",
)


@pytest.fixture(autouse=True)
def api_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A known environment: admin key and Fernet keys set, every other API variable unset."""
    for name in API_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADMIN_API_KEY", ADMIN_KEY)
    monkeypatch.setenv("SECRET_KEYS", FERNET_KEY)


@pytest.fixture
def client(db_settings: str) -> Iterator[TestClient]:
    with TestClient(create_app(database_url=db_settings)) as client:
        yield client


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with standin_server() as server:
        yield server


@pytest.fixture
def platforms(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> Platforms:
    """The Graph and Bot APIs on the stand-in (WHATSAPP_API_URL, INSTAGRAM_API_URL and
    TELEGRAM_API_URL point at it); they know no token until `accept` is called."""
    known = Platforms()
    known.serve(standin)
    monkeypatch.setenv("WHATSAPP_API_URL", standin.url + WHATSAPP_PREFIX)
    monkeypatch.setenv("INSTAGRAM_API_URL", standin.url + INSTAGRAM_PREFIX)
    monkeypatch.setenv("TELEGRAM_API_URL", standin.url)
    return known


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_KEY}"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def box() -> SecretBox:
    return SecretBox([FERNET_KEY])


@dataclass
class TenantData:
    """One onboarded tenant and the ids of its resources."""

    id: int
    slug: str
    key: str
    key_id: int
    contact_id: int
    message_ids: list[int]
    event_id: int
    event_uid: str
    account_id: int
    feed_token: str
    service_id: int

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.key)


def onboard(client: TestClient, db_url: str, slug: str, *, user: str = "u1") -> TenantData:
    """Create a tenant through the API, then give it a contact, messages, an event and a bot."""
    response = client.post(
        "/api/v1/tenants",
        json={"name": slug.title(), "slug": slug, "timezone": "Europe/London"},
        headers=admin(),
    )
    assert response.status_code == 201, response.text
    created = response.json()
    tenant_id = created["tenant"]["id"]
    with session_scope(db_url) as session:
        contact = repo.upsert_contact(
            session,
            tenant_id=tenant_id,
            channel="telegram",
            platform_user_id=user,
            display_name=f"{slug} user",
        )
        session.flush()
        inbound = repo.record_message(
            session,
            tenant_id=tenant_id,
            contact_id=contact.id,
            channel="telegram",
            direction="in",
            text=f"book a haircut for {slug}",
            platform_message_id=f"{slug}-1",
        )
        outbound = repo.record_message(
            session,
            tenant_id=tenant_id,
            contact_id=contact.id,
            channel="telegram",
            direction="out",
            text="Booked!",
            platform_message_id=f"{slug}-2",
        )
        assert inbound is not None and outbound is not None
        event = repo.create_calendar_event(
            session,
            tenant_id=tenant_id,
            contact_id=contact.id,
            title=f"Haircut {slug}",
            start=START,
            end=START + timedelta(minutes=45),
            timezone="Europe/London",
            provider="builtin",
            requested_message_id=inbound.id,
        )
        repo.confirm_calendar_event(
            session,
            event_id=event.id,
            provider_event_id=event.uid,
            link=None,
            confirmed_message_id=outbound.id,
        )
        account = repo.create_channel_account(
            session,
            tenant_id=tenant_id,
            channel="telegram",
            account_id=str(1000 + tenant_id),
            secrets=ChannelSecrets(
                bot_token=f"{1000 + tenant_id}:{slug}-bot-token-0123456789abcdef",
                webhook_secret=f"{slug}-webhook-secret",
            ),
            box=box(),
        )
        service = repo.create_service(
            session, tenant_id=tenant_id, name=f"Haircut {slug}", duration_minutes=30
        )
        tenant = repo.get_tenant(session, tenant_id=tenant_id)
        assert tenant is not None
        data = TenantData(
            id=tenant_id,
            slug=slug,
            key=created["api_key"]["key"],
            key_id=created["api_key"]["id"],
            contact_id=contact.id,
            message_ids=[inbound.id, outbound.id],
            event_id=event.id,
            event_uid=event.uid,
            account_id=account.id,
            feed_token=tenant.feed_token,
            service_id=service.id,
        )
    return data


@pytest.fixture
def tenant_a(client: TestClient, db_settings: str) -> TenantData:
    return onboard(client, db_settings, "alpha", user="ua")


@pytest.fixture
def tenant_b(client: TestClient, db_settings: str) -> TenantData:
    return onboard(client, db_settings, "bravo", user="ub")
