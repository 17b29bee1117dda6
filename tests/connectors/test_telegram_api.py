"""Telegram Bot API calls: a reply part and its message id, callback acknowledgement,
setWebhook and the CLI."""

from __future__ import annotations

import pytest

from connectors.accounts import Account
from connectors.retry import new_session
from connectors.telegram.__main__ import main as cli
from connectors.telegram.api import (
    acknowledge_button,
    method_url,
    set_webhook,
    telegram_call,
    telegram_message_id,
)
from connectors.telegram.format import telegram_parts
from standins import webhooks as f
from tests.connectors.test_whatsapp_api import context

ACCOUNT = Account("telegram", f.BOT_ID, bot_token=f.BOT_TOKEN)


async def test_send_and_ok_false_is_a_failure(sqlite_settings, standin) -> None:
    standin.fail_next("sendMessage", 200, {"ok": False, "description": "Bad Request: chat"})
    [(method, plain)] = telegram_parts("447", text="hi")
    [(_, with_keyboard)] = telegram_parts(
        "447", text="hi", buttons=[{"title": "A", "payload": "/a"}]
    )
    async with new_session() as client:
        ctx = context(standin, client, "telegram", ACCOUNT, "/telegram")
        failed = await telegram_call(ctx, method, plain.body)
        sent = await telegram_call(ctx, method, with_keyboard.body)
        await acknowledge_button(ctx, "q1", "447:1001")
    assert not failed.ok and "Bad Request" in (failed.error or "")
    assert sent.ok and (telegram_message_id(ctx, sent) or "").startswith("447:")
    assert telegram_message_id(ctx, failed) is None
    methods = [r.api_method for r in standin.requests]
    assert methods[-2:] == ["answerCallbackQuery", "editMessageReplyMarkup"]


async def test_set_webhook_sends_the_secret(standin) -> None:
    async with new_session() as client:
        result = await set_webhook(
            client,
            standin.url + "/telegram",
            f.BOT_TOKEN,
            "https://bot.example/telegram_webhook",
            "s3cret",
        )
    assert result.ok
    body = standin.requests[0].json
    assert body["secret_token"] == "s3cret" and body["url"].endswith("/telegram_webhook")
    assert "callback_query" in body["allowed_updates"]
    assert method_url("https://api.telegram.org/", "1:x", "getMe") == (
        "https://api.telegram.org/bot1:x/getMe"
    )


def test_cli(standin, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", standin.url + "/telegram")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", f.BOT_TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "valid_secret")
    assert cli(["set-webhook", "https://bot.example/telegram_webhook"]) == 0
    assert "Webhook was set" in capsys.readouterr().out
    assert cli(["webhook-info"]) == 0
    assert standin.requests[-1].api_method == "getWebhookInfo"
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "not valid!")
    assert cli(["set-webhook", "https://x"]) == 2
    assert cli(["generate-secret"]) == 0
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert cli(["webhook-info"]) == 2
    with pytest.raises(SystemExit):
        cli([])
