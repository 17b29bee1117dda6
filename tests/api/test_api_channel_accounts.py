"""Channel accounts: secrets write-only and encrypted at rest; registration only with a token
that reads the account on the (stand-in) platform; Telegram webhook registration against a
stand-in Bot API."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from booking_core.crypto import lookup_hash
from booking_core.db import repository as repo
from booking_core.db.session import session_scope
from tests.api.conftest import TenantData, box
from tests.api.standin import Platforms, StandIn

WHATSAPP = {
    "channel": "whatsapp",
    "phone_number_id": "106540352242922",
    "access_token": "EAAGwa-access-token-secret-1",
    "app_secret": "whatsapp-app-secret-2",
    "verify_token": "whatsapp-verify-token-3",
}
INSTAGRAM = {
    "channel": "instagram",
    "account_id": "17841400000000",
    "access_token": "IGQ-access-token-secret-4",
    "app_secret": "instagram-app-secret-5",
    "verify_token": "instagram-verify-token-6",
}
BOT_TOKEN = "7012345678:AAE-telegram-bot-token-secret-77"
SECRETS = [
    v for d in (WHATSAPP, INSTAGRAM) for k, v in d.items() if k.endswith(("token", "secret"))
]


def _raw_rows(url: str) -> list[tuple]:
    with session_scope(url) as session:
        return list(session.execute(text("SELECT * FROM channel_accounts")).all())


@pytest.mark.parametrize("body", [WHATSAPP, INSTAGRAM], ids=["whatsapp", "instagram"])
def test_register_meta_account(
    client: TestClient, db_settings: str, tenant_a: TenantData, platforms: Platforms, body: dict
) -> None:
    platforms.accept(body)
    response = client.post("/api/v1/channel-accounts", json=body, headers=tenant_a.headers)
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["channel"] == body["channel"]
    assert out["account_id"] in (body.get("phone_number_id"), body.get("account_id"))
    assert out["secrets_set"] == ["access_token", "app_secret", "verify_token"]
    for secret in SECRETS:
        assert secret not in response.text
    # Encryption at rest: the stored bytes are not the secret, and they decrypt to it.
    raw = str(_raw_rows(db_settings))
    for secret in SECRETS:
        assert secret not in raw
    with session_scope(db_settings) as session:
        account = repo.get_tenant_channel_account(
            session, tenant_id=tenant_a.id, account_pk=out["id"]
        )
        assert account is not None
        plain = repo.decrypt_channel_secrets(account, box=box())
    assert plain.access_token == body["access_token"] and plain.app_secret == body["app_secret"]
    listed = client.get("/api/v1/channel-accounts", headers=tenant_a.headers)
    assert out["id"] in [a["id"] for a in listed.json()]
    assert all(s not in listed.text for s in SECRETS)


def test_duplicate_account_is_409(
    client: TestClient, tenant_a: TenantData, platforms: Platforms
) -> None:
    platforms.accept(WHATSAPP)
    assert (
        client.post("/api/v1/channel-accounts", json=WHATSAPP, headers=tenant_a.headers).status_code
        == 201
    )
    again = client.post("/api/v1/channel-accounts", json=WHATSAPP, headers=tenant_a.headers)
    assert again.status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"channel": "sms", "phone": "1"},
        WHATSAPP | {"phone_number_id": "abc"},
        WHATSAPP | {"access_token": ""},
        WHATSAPP | {"access_token": "has space"},
        WHATSAPP | {"bot_token": BOT_TOKEN},
        {"channel": "telegram", "bot_token": "not-a-token"},
        {"channel": "telegram", "bot_token": BOT_TOKEN, "webhook_url": "http://insecure/x"},
    ],
)
def test_invalid_account_is_422_without_echo(
    client: TestClient, tenant_a: TenantData, body: dict
) -> None:
    response = client.post("/api/v1/channel-accounts", json=body, headers=tenant_a.headers)
    assert response.status_code == 422, response.text
    assert "has space" not in response.text and "not-a-token" not in response.text


def test_secret_keys_missing_is_503(
    client: TestClient, tenant_a: TenantData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEYS")
    response = client.post("/api/v1/channel-accounts", json=WHATSAPP, headers=tenant_a.headers)
    assert response.status_code == 503


def test_update_replaces_only_given_secrets(
    client: TestClient, db_settings: str, tenant_a: TenantData, platforms: Platforms
) -> None:
    platforms.accept(WHATSAPP)
    created = client.post("/api/v1/channel-accounts", json=WHATSAPP, headers=tenant_a.headers)
    account_id = created.json()["id"]
    platforms.accept(WHATSAPP | {"access_token": "rotated-access-token"})
    response = client.patch(
        f"/api/v1/channel-accounts/{account_id}",
        json={"access_token": "rotated-access-token"},
        headers=tenant_a.headers,
    )
    assert response.status_code == 200 and "rotated" not in response.text
    with session_scope(db_settings) as session:
        account = repo.get_tenant_channel_account(
            session, tenant_id=tenant_a.id, account_pk=account_id
        )
        assert account is not None
        plain = repo.decrypt_channel_secrets(account, box=box())
    assert plain.access_token == "rotated-access-token"
    assert plain.app_secret == WHATSAPP["app_secret"]
    wrong = client.patch(
        f"/api/v1/channel-accounts/{account_id}",
        json={"bot_token": BOT_TOKEN},
        headers=tenant_a.headers,
    )
    assert wrong.status_code == 422
    empty = client.patch(
        f"/api/v1/channel-accounts/{account_id}", json={}, headers=tenant_a.headers
    )
    assert empty.status_code == 422


def test_delete_account(client: TestClient, tenant_a: TenantData) -> None:
    path = f"/api/v1/channel-accounts/{tenant_a.account_id}"
    assert client.get(path, headers=tenant_a.headers).status_code == 200
    assert client.delete(path, headers=tenant_a.headers).status_code == 204
    assert client.get(path, headers=tenant_a.headers).status_code == 404
    assert client.delete(path, headers=tenant_a.headers).status_code == 404


def test_register_telegram_bot_sets_webhook_with_fresh_secret(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    standin: StandIn,
    platforms: Platforms,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    platforms.accept({"channel": "telegram", "bot_token": BOT_TOKEN})
    standin.on(
        "POST",
        f"/bot{BOT_TOKEN}/setWebhook",
        (200, {"ok": True, "result": True, "description": "Webhook was set"}),
    )
    response = client.post(
        "/api/v1/channel-accounts",
        json={
            "channel": "telegram",
            "bot_token": BOT_TOKEN,
            "set_webhook": True,
            "webhook_url": "https://bot.example.com/telegram_webhook",
        },
        headers=tenant_a.headers,
    )
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["account_id"] == "7012345678" and out["webhook_secret_set"] is True
    get_me, call = standin.requests  # the token reads the bot, then the webhook is set
    assert (get_me.method, get_me.path) == ("GET", f"/bot{BOT_TOKEN}/getMe")
    sent = call.json()
    assert sent["url"] == "https://bot.example.com/telegram_webhook"
    secret = sent["secret_token"]
    assert len(secret) >= 32
    with session_scope(db_settings) as session:  # the stored secret routes Telegram's updates
        found = repo.get_channel_account_by_secret(session, channel="telegram", secret=secret)
        assert found is not None and found.tenant_id == tenant_a.id
        assert repo.decrypt_channel_secrets(found, box=box()).bot_token == BOT_TOKEN
    raw = str(_raw_rows(db_settings))
    assert BOT_TOKEN not in raw and secret not in raw and lookup_hash(secret) in raw
    for leaked in (BOT_TOKEN, secret):
        assert leaked not in response.text and leaked not in caplog.text

    # Re-registering rotates the secret.
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.com/telegram_webhook")
    again = client.post(
        f"/api/v1/channel-accounts/{out['id']}/telegram-webhook", headers=tenant_a.headers
    )
    assert again.status_code == 200, again.text
    new_secret = standin.requests[-1].json()["secret_token"]
    assert new_secret != secret
    with session_scope(db_settings) as session:
        assert (
            repo.get_channel_account_by_secret(session, channel="telegram", secret=secret) is None
        )
        assert (
            repo.get_channel_account_by_secret(session, channel="telegram", secret=new_secret)
            is not None
        )
    assert BOT_TOKEN not in caplog.text and new_secret not in caplog.text


def test_webhook_failure_is_502_and_stores_nothing(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    standin: StandIn,
    platforms: Platforms,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    platforms.accept({"channel": "telegram", "bot_token": BOT_TOKEN})
    standin.on(
        "POST",
        f"/bot{BOT_TOKEN}/setWebhook",
        (
            400,
            {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: bad webhook: HTTPS url must be provided",
            },
        ),
    )
    before = len(_raw_rows(db_settings))
    response = client.post(
        "/api/v1/channel-accounts",
        json={
            "channel": "telegram",
            "bot_token": BOT_TOKEN,
            "set_webhook": True,
            "webhook_url": "https://bot.example.com/telegram_webhook",
        },
        headers=tenant_a.headers,
    )
    assert response.status_code == 502
    assert "bad webhook" in response.json()["detail"]
    assert len(_raw_rows(db_settings)) == before
    assert BOT_TOKEN not in response.text and BOT_TOKEN not in caplog.text


def test_set_webhook_without_url_is_422(
    client: TestClient, tenant_a: TenantData, platforms: Platforms
) -> None:
    platforms.accept(WHATSAPP)
    response = client.post(
        "/api/v1/channel-accounts",
        json={"channel": "telegram", "bot_token": BOT_TOKEN, "set_webhook": True},
        headers=tenant_a.headers,
    )
    assert response.status_code == 422
    whatsapp = client.post("/api/v1/channel-accounts", json=WHATSAPP, headers=tenant_a.headers)
    hook = client.post(
        f"/api/v1/channel-accounts/{whatsapp.json()['id']}/telegram-webhook",
        json={"url": "https://x.example/hook"},
        headers=tenant_a.headers,
    )
    assert hook.status_code == 422
