"""A channel account is registered only with a token that reads it on the platform (the
stand-in Graph and Bot APIs), on POST and when PATCH replaces the token; the default tenant's
accounts from the environment cannot be registered by anyone. Nothing is stored on refusal."""

from __future__ import annotations

import logging
import socket

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from booking_core.db import repository as repo
from booking_core.db.models import ChannelAccount
from booking_core.db.session import session_scope
from tests.api.conftest import TenantData, box
from tests.api.standin import WHATSAPP_PREFIX, Platforms, StandIn

PATH = "/api/v1/channel-accounts"
B_NUMBER = {
    "channel": "whatsapp",
    "phone_number_id": "201000000000001",
    "access_token": "EAAG-bravo-access-token-1",
    "app_secret": "bravo-app-secret",
    "verify_token": "bravo-verify-token",
}
A_TOKEN = "EAAG-alpha-access-token-2"  # reads alpha's own number only
INSTAGRAM = {
    "channel": "instagram",
    "account_id": "17841400000000",
    "access_token": "IGAA-instagram-token-3",
    "app_secret": "instagram-app-secret",
    "verify_token": "instagram-verify-token",
}
BOT_TOKEN = "7012345678:AAE-telegram-bot-token-secret-77"
BOT = {"channel": "telegram", "bot_token": BOT_TOKEN}


def _stored(url: str) -> list[tuple[int, str, str]]:
    """Stored accounts but the bot every onboarded tenant has (conftest `onboard`)."""
    with session_scope(url) as session:
        rows = session.execute(
            select(ChannelAccount.tenant_id, ChannelAccount.channel, ChannelAccount.account_id)
        ).all()
    return sorted((int(t), c, a) for t, c, a in rows if a != str(1000 + int(t)))


def _detail(response: httpx.Response) -> str:
    return str(response.json()["detail"])


def test_another_business_s_whatsapp_number_cannot_be_registered(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    tenant_b: TenantData,
    standin: StandIn,
    platforms: Platforms,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    platforms.accept(B_NUMBER)
    platforms.accept(B_NUMBER | {"phone_number_id": "202000000000002", "access_token": A_TOKEN})
    squat = client.post(PATH, json=B_NUMBER | {"access_token": A_TOKEN}, headers=tenant_a.headers)
    assert squat.status_code == 422, squat.text
    assert "cannot read WhatsApp phone number 201000000000001" in _detail(squat)
    assert "does not exist" in _detail(squat)  # the platform's reason
    made_up = client.post(
        PATH, json=B_NUMBER | {"access_token": "EAAG-made-up"}, headers=tenant_a.headers
    )
    assert made_up.status_code == 422 and "Invalid OAuth access token" in _detail(made_up)
    assert _stored(db_settings) == []
    for leaked in (A_TOKEN, "EAAG-made-up"):
        assert leaked not in squat.text + made_up.text and leaked not in caplog.text
    [asked, *_] = standin.requests
    assert (asked.method, asked.path) == ("GET", f"{WHATSAPP_PREFIX}/201000000000001")
    assert asked.headers["authorization"] == f"Bearer {A_TOKEN}"
    # The owner is not locked out.
    owner = client.post(PATH, json=B_NUMBER, headers=tenant_b.headers)
    assert owner.status_code == 201, owner.text
    assert _stored(db_settings) == [(tenant_b.id, "whatsapp", "201000000000001")]


def test_an_instagram_token_registers_only_its_own_account(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    standin: StandIn,
    platforms: Platforms,
) -> None:
    platforms.accept(INSTAGRAM)
    other = client.post(
        PATH, json=INSTAGRAM | {"account_id": "17841400000099"}, headers=tenant_a.headers
    )
    assert other.status_code == 422, other.text
    assert "belongs to another Instagram account than 17841400000099" in _detail(other)
    unknown = client.post(
        PATH, json=INSTAGRAM | {"access_token": "IGAA-unknown"}, headers=tenant_a.headers
    )
    assert unknown.status_code == 422 and "cannot read" in _detail(unknown)
    assert _stored(db_settings) == []
    assert client.post(PATH, json=INSTAGRAM, headers=tenant_a.headers).status_code == 201
    asked = standin.requests[-1]
    assert (asked.path, asked.query) == ("/instagram/v23.0/me", {"fields": ["user_id,username"]})
    assert _stored(db_settings) == [(tenant_a.id, "instagram", "17841400000000")]


def test_a_telegram_token_must_be_the_bot_s_own(
    client: TestClient, db_settings: str, tenant_a: TenantData, platforms: Platforms
) -> None:
    unauthorized = client.post(PATH, json=BOT, headers=tenant_a.headers)
    assert unauthorized.status_code == 422 and "Unauthorized" in _detail(unauthorized)
    assert BOT_TOKEN not in unauthorized.text
    # getMe answers another bot than the token's prefix claims.
    platforms.telegram[BOT_TOKEN] = 7000000001
    other = client.post(PATH, json=BOT, headers=tenant_a.headers)
    assert other.status_code == 422
    assert "belongs to another Telegram bot than 7012345678" in _detail(other)
    assert _stored(db_settings) == []
    platforms.accept(BOT)
    assert client.post(PATH, json=BOT, headers=tenant_a.headers).status_code == 201
    assert _stored(db_settings) == [(tenant_a.id, "telegram", "7012345678")]


@pytest.mark.parametrize(
    "variable,value,body",
    [
        ("WHATSAPP_PHONE_NUMBER_ID", B_NUMBER["phone_number_id"], B_NUMBER),
        ("INSTAGRAM_PAGE_ID", INSTAGRAM["account_id"], INSTAGRAM),
        ("TELEGRAM_BOT_TOKEN", "7012345678:the-default-tenant-s-token", BOT),
    ],
    ids=["whatsapp", "instagram", "telegram"],
)
def test_the_default_tenant_s_environment_account_cannot_be_registered(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    standin: StandIn,
    platforms: Platforms,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    body: dict,
) -> None:
    monkeypatch.setenv(variable, value)
    platforms.accept(body)  # even with a token that reads it
    response = client.post(PATH, json=body, headers=tenant_a.headers)
    assert response.status_code == 409, response.text
    assert _stored(db_settings) == [] and standin.requests == []
    assert "the-default-tenant-s-token" not in response.text


@pytest.mark.parametrize("failure", ["connection refused", "server error"])
def test_platform_unreachable_is_502_and_stores_nothing(
    client: TestClient,
    db_settings: str,
    tenant_a: TenantData,
    standin: StandIn,
    platforms: Platforms,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    platforms.accept(B_NUMBER)
    if failure == "connection refused":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        monkeypatch.setenv("WHATSAPP_API_URL", f"http://127.0.0.1:{port}/v21.0")
    else:
        unavailable = {"error": {"message": "Service temporarily unavailable", "code": 2}}
        standin.on("GET", f"{WHATSAPP_PREFIX}/{B_NUMBER['phone_number_id']}", (503, unavailable))
    response = client.post(PATH, json=B_NUMBER, headers=tenant_a.headers)
    assert response.status_code == 502, response.text
    assert "could not check with WhatsApp" in _detail(response)
    assert B_NUMBER["access_token"] not in response.text
    assert _stored(db_settings) == []


def test_a_replaced_token_must_still_read_the_same_account(
    client: TestClient, db_settings: str, tenant_a: TenantData, platforms: Platforms
) -> None:
    number = client.post(PATH, json=platforms.accept(B_NUMBER), headers=tenant_a.headers)
    bot = client.post(PATH, json=platforms.accept(BOT), headers=tenant_a.headers)
    assert (number.status_code, bot.status_code) == (201, 201)
    platforms.whatsapp["209000000000009"] = "EAAG-another-number-s-token"
    refused = [
        client.patch(
            f"{PATH}/{number.json()['id']}",
            json={"access_token": "EAAG-another-number-s-token"},
            headers=tenant_a.headers,
        ),
        client.patch(  # the bot's id, but a token Telegram does not know
            f"{PATH}/{bot.json()['id']}",
            json={"bot_token": "7012345678:AAE-made-up-token-0000000"},
            headers=tenant_a.headers,
        ),
    ]
    assert [r.status_code for r in refused] == [422, 422], [r.text for r in refused]
    with session_scope(db_settings) as session:
        kept = [
            repo.decrypt_channel_secrets(account, box=box())
            for account in repo.list_channel_accounts(session, tenant_id=tenant_a.id)
        ]
    assert B_NUMBER["access_token"] in [s.access_token for s in kept]
    assert BOT_TOKEN in [s.bot_token for s in kept]
    platforms.accept(B_NUMBER | {"access_token": "EAAG-rotated-token"})
    rotated = client.patch(
        f"{PATH}/{number.json()['id']}",
        json={"access_token": "EAAG-rotated-token"},
        headers=tenant_a.headers,
    )
    assert rotated.status_code == 200, rotated.text
