"""Meta admission through the real webhook: the signature is checked with the app secrets of
the accounts the body names only, so its cost does not grow with the accounts stored (counted,
not timed); what is refused before any secret is tried; large bodies hashed off the loop."""

from __future__ import annotations

import threading

import pytest

import connectors.signatures as signatures
from booking_core.crypto import SecretBox
from booking_core.db.repository import ChannelSecrets, create_channel_account
from booking_core.db.session import session_scope
from connectors.meta import MAX_SIGNING_APPS, THREAD_HASHING_BYTES
from connectors.service import Role
from standins import webhooks as f
from tests.connectors.conftest import WA_APP_SECRET, instagram_channel, running, whatsapp_channel
from tests.connectors.helpers import add_tenant, count, messages

USER = "447700900301"
STORED = 200


def store_accounts(url: str, channel: str, n: int = STORED, app: str = "app-{i}") -> None:
    """`n` accounts of one tenant: account "9<i:04d>" signed with `app` (default: its own)."""
    tenant_id = add_tenant(url, "acme")
    box = SecretBox.from_env()
    with session_scope(url) as session:
        for i in range(n):
            secrets = ChannelSecrets(access_token=f"token-{i}", app_secret=app.format(i=i))
            create_channel_account(session, tenant_id=tenant_id, channel=channel,
                                   account_id=f"9{i:04d}", secrets=secrets, box=box)  # fmt: skip


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Every HMAC the webhook computes: (secret, whether on the test's own thread)."""
    calls: list[tuple[str, bool]] = []
    real = signatures.hub_signature
    main = threading.current_thread()

    def counting(body: bytes, app_secret: str) -> str:
        calls.append((app_secret, threading.current_thread() is main))
        return real(body, app_secret)

    monkeypatch.setattr(signatures, "hub_signature", counting)
    return calls


def wa_body(*phone_number_ids: str, text: str = "hi") -> bytes:
    values = [
        f.wa_value(
            phone_number_id=ident,
            contacts=[f.wa_contact(USER)],
            messages=[f.wa_message(USER, text={"body": text})],
        )
        for ident in phone_number_ids
    ]
    return f.body_bytes(f.wa_webhook(*values))


async def test_whatsapp_tries_only_the_secret_of_the_account_named_among_200(
    sqlite_settings, standin, secret_keys, hashed
) -> None:
    store_accounts(sqlite_settings, "whatsapp")
    body = wa_body("90150")
    headers = f.meta_headers(body, "app-150")
    async with running(whatsapp_channel(standin, role=Role.INGEST)) as h:
        ok = await h.post(body, headers)
        tried_for_good = [secret for secret, _ in hashed]
        hashed.clear()
        forged = await h.post(wa_body("90150", text="forged"), headers)  # signed for another body
    assert (ok.status_code, forged.status_code) == (200, 403)
    assert tried_for_good == ["app-150"]  # one HMAC, not one per stored account
    assert [secret for secret, _ in hashed] == ["app-150"]
    [stored] = messages(sqlite_settings)
    assert stored.text == "hi"


async def test_instagram_tries_only_the_secret_of_the_account_named_among_200(
    sqlite_settings, standin, secret_keys, hashed
) -> None:
    store_accounts(sqlite_settings, "instagram")
    body = f.body_bytes(f.ig_text("6512345678900301", "hi", account_id="90007"))
    async with running(instagram_channel(standin, role=Role.INGEST)) as h:
        ok = await h.post(body, f.meta_headers(body, "app-7"))
    assert ok.status_code == 200 and count(sqlite_settings) == 1
    assert [secret for secret, _ in hashed] == ["app-7"]


async def test_one_app_signing_for_several_accounts_is_one_hmac(
    sqlite_settings, standin, secret_keys, hashed
) -> None:
    store_accounts(sqlite_settings, "whatsapp", n=5, app="one-app")
    body = wa_body("90000", "90001", "90004")
    async with running(whatsapp_channel(standin, role=Role.INGEST)) as h:
        assert (await h.post(body, f.meta_headers(body, "one-app"))).status_code == 200
    assert [secret for secret, _ in hashed] == ["one-app"] and count(sqlite_settings) == 3


async def test_a_body_naming_accounts_of_too_many_apps_is_refused_without_hashing(
    sqlite_settings, standin, secret_keys, hashed
) -> None:
    store_accounts(sqlite_settings, "whatsapp", n=MAX_SIGNING_APPS + 1)
    body = wa_body(*(f"9{i:04d}" for i in range(MAX_SIGNING_APPS + 1)))
    async with running(whatsapp_channel(standin, role=Role.INGEST)) as h:
        answer = await h.post(body, f.meta_headers(body, "app-0"))
    assert answer.status_code == 403 and hashed == [] and count(sqlite_settings) == 0


async def test_a_body_naming_no_configured_account_is_200_unchecked_and_stored_nowhere(
    sqlite_settings, standin, hashed
) -> None:
    body = wa_body("555000")
    async with running(whatsapp_channel(standin, role=Role.INGEST)) as h:
        answer = await h.post(body, f.meta_headers(body, "some other app"))
    assert answer.status_code == 200 and hashed == [] and count(sqlite_settings) == 0


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'"a string"'])
async def test_a_body_that_is_not_a_json_object_is_400_before_any_secret(
    sqlite_settings, standin, hashed, body: bytes
) -> None:
    async with running(whatsapp_channel(standin)) as h:
        answer = await h.post(body, f.meta_headers(body, "anyone"))
    assert answer.status_code == 400 and hashed == [] and count(sqlite_settings) == 0


async def test_large_bodies_are_hashed_off_the_event_loop(sqlite_settings, standin, hashed):
    small = wa_body(f.PHONE_NUMBER_ID)
    large = wa_body(f.PHONE_NUMBER_ID, text="x" * THREAD_HASHING_BYTES)
    async with running(whatsapp_channel(standin, role=Role.INGEST)) as h:
        for body in (small, large):
            assert (await h.post(body, f.meta_headers(body, WA_APP_SECRET))).status_code == 200
    assert [on_loop for _, on_loop in hashed] == [True, False]
