"""TelegramPlatform: secret-token authentication, per-bot keys, methods with each request."""

from __future__ import annotations

from types import SimpleNamespace

from connectors.accounts import Account, AccountDirectory
from connectors.platform import Refusal
from connectors.telegram.platform import SECRET_HEADER, TelegramPlatform, bot_id
from standins import webhooks as f

PLATFORM = TelegramPlatform()
SECRET = "tg_secret"


def test_account_from_credentials_yml_is_keyed_by_the_bot_id() -> None:
    account = PLATFORM.account_from_credentials({"bot_token": f.BOT_TOKEN, "webhook_secret": ""})
    assert account is not None and account.account_id == bot_id(f.BOT_TOKEN) == f.BOT_ID
    assert account.webhook_secret is None


async def test_authenticate_by_the_secret_header(sqlite_settings) -> None:
    account = Account("telegram", f.BOT_ID, bot_token=f.BOT_TOKEN, webhook_secret=SECRET)
    directory = AccountDirectory("telegram", account)
    body = f.body_bytes(f.tg_text(42, "hi"))
    admitted = await PLATFORM.authenticate(
        SimpleNamespace(headers={SECRET_HEADER: SECRET}, body=body), directory
    )
    assert not isinstance(admitted, Refusal)
    batch, [owner] = admitted
    assert owner.account_id == f.BOT_ID
    keyed = PLATFORM.keyed_for(owner, batch.messages[0])
    assert keyed.platform_message_id == f"{f.BOT_ID}:{batch.messages[0].platform_message_id}"
    missing = SimpleNamespace(headers={}, body=body)
    assert await PLATFORM.authenticate(missing, directory) == Refusal(401, "missing secret token")
    wrong = SimpleNamespace(headers={SECRET_HEADER: "nope"}, body=body)
    assert await PLATFORM.authenticate(wrong, directory) == Refusal(403, "bad secret token")


def test_format_carries_the_bot_api_method() -> None:
    parts = PLATFORM.format("42", text="Pick", buttons=[{"title": "A", "payload": "a"}],
                            image="https://example.com/a.png", vertical=True)  # fmt: skip
    assert [p.method for p in parts] == ["sendMessage", "sendPhoto"]
    assert PLATFORM.echo_challenge and PLATFORM.notice("42", "x")["method"] == "sendMessage"
