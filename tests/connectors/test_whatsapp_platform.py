"""WhatsAppPlatform: credentials, admission by the app's signature, requests and ids."""

from __future__ import annotations

from types import SimpleNamespace

from connectors.accounts import Account, AccountDirectory
from connectors.platform import Refusal
from connectors.retry import ApiResult
from connectors.whatsapp.platform import WhatsAppPlatform
from standins import webhooks as f

PLATFORM = WhatsAppPlatform()
ACCOUNT = Account("whatsapp", f.PHONE_NUMBER_ID, access_token="t", app_secret="s")


def test_account_from_credentials_yml() -> None:
    account = PLATFORM.account_from_credentials(
        {"phone_number_id": 1, "app_secret": "s", "verify_token": "", "access_token": "t"}
    )
    assert account is not None and (account.account_id, account.verify_token) == ("1", None)


async def test_authenticate_checks_the_signature_of_the_named_account(sqlite_settings) -> None:
    directory = AccountDirectory("whatsapp", ACCOUNT)
    body = f.body_bytes(f.wa_text("447700900001", "hi"))
    good = SimpleNamespace(headers=f.meta_headers(body, "s"), body=body)
    bad = SimpleNamespace(headers=f.meta_headers(body, "other"), body=body)
    batch, accounts = await PLATFORM.authenticate(good, directory)  # type: ignore[misc]
    assert [m.text for m in batch.messages] == ["hi"] and accounts == [directory.env_account]
    assert await PLATFORM.authenticate(bad, directory) == Refusal(403, "bad signature")
    unsigned = SimpleNamespace(headers={}, body=body)
    assert await PLATFORM.authenticate(unsigned, directory) == Refusal(401, "missing signature")


def test_buttons_and_message_ids() -> None:
    [part] = PLATFORM.format("447", text="Pick", buttons=[{"title": "A", "payload": "a"}])
    assert part.body["type"] == "interactive" and part.buttons
    result = ApiResult(True, 200, {"messages": [{"id": "wamid.X"}]}, None, 1)
    assert PLATFORM.message_id(None, result) == "wamid.X"  # type: ignore[arg-type]
