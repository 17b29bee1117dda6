"""Telegram Bot API calls: one method call (a queued reply part, retried) and its message id,
answer a button press and remove its keyboard, show "typing", register the webhook, getMe."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import aiohttp

from connectors.context import SendContext
from connectors.retry import ApiResult, RetryPolicy, call_api
from connectors.telegram.format import answer_callback, chat_action, remove_keyboard

DEFAULT_API_URL = "https://api.telegram.org"

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def method_url(api_url: str, bot_token: str, method: str) -> str:
    """<api>/bot<token>/<method>."""
    return f"{api_url.rstrip('/')}/bot{bot_token}/{method}"


async def telegram_call(ctx: SendContext, method: str, body: dict[str, Any]) -> ApiResult:
    """One Bot API call with the account's bot token, retried per the context's policy."""
    url = method_url(ctx.api_url, ctx.account.bot_token or "", method)
    result = await call_api(
        ctx.client, "POST", url, json_body=body, policy=ctx.policy, sleep=ctx.sleep
    )
    if result.ok and isinstance(result.body, dict) and result.body.get("ok") is False:
        return replace(result, ok=False, error=str(result.body.get("description")))
    return result


def telegram_message_id(ctx: SendContext, result: ApiResult) -> str | None:
    """ "<chat id>:<message id>" (message ids are only unique within a chat)."""
    body = result.body
    if isinstance(body, dict) and isinstance(body.get("result"), dict):
        message = body["result"]
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        if message.get("message_id") is not None:
            return f"{chat.get('id', ctx.recipient)}:{message['message_id']}"
    return None


def _once(ctx: SendContext) -> SendContext:
    return replace(ctx, policy=replace(ctx.policy, attempts=2))


async def acknowledge_button(ctx: SendContext, query_id: str, reply_to: str | None) -> None:
    """Answer the callback query (spinner off) and remove the keyboard that was pressed."""
    await telegram_call(_once(ctx), "answerCallbackQuery", answer_callback(query_id))
    if reply_to and ":" in reply_to:
        chat_id, message_id = reply_to.rsplit(":", 1)
        if message_id.isdigit():
            await telegram_call(
                _once(ctx), "editMessageReplyMarkup", remove_keyboard(chat_id, message_id)
            )


async def send_typing(ctx: SendContext) -> ApiResult:
    """sendChatAction typing; best effort."""
    return await telegram_call(
        replace(ctx, policy=replace(ctx.policy, attempts=1)),
        "sendChatAction",
        chat_action(ctx.recipient),
    )


async def set_webhook(
    client: aiohttp.ClientSession,
    api_url: str,
    bot_token: str,
    url: str,
    secret: str,
    *,
    max_connections: int = 40,
    policy: RetryPolicy | None = None,
) -> ApiResult:
    """Register `url` with the secret token Telegram then sends in every update's header."""
    return await call_api(
        client,
        "POST",
        method_url(api_url, bot_token, "setWebhook"),
        json_body={
            "url": url,
            "secret_token": secret,
            "allowed_updates": ALLOWED_UPDATES,
            "max_connections": max_connections,
        },
        policy=policy,
    )


async def webhook_info(
    client: aiohttp.ClientSession, api_url: str, bot_token: str, policy: RetryPolicy | None = None
) -> ApiResult:
    """getWebhookInfo: the registered URL, pending update count, last error."""
    return await call_api(
        client, "GET", method_url(api_url, bot_token, "getWebhookInfo"), policy=policy
    )


async def get_me(
    client: aiohttp.ClientSession, api_url: str, bot_token: str, policy: RetryPolicy | None = None
) -> ApiResult:
    """getMe: {"ok": true, "result": {"id": <bot id>, "is_bot": true, ...}} for a valid token,
    401 {"ok": false, "description": "Unauthorized"} otherwise."""
    return await call_api(client, "GET", method_url(api_url, bot_token, "getMe"), policy=policy)


def bot_id_of(body: Any) -> str | None:
    """The bot id of a getMe answer, or None when it is not a successful one."""
    if isinstance(body, dict) and body.get("ok") is True and isinstance(body.get("result"), dict):
        ident = body["result"].get("id")
        return str(ident) if ident is not None else None
    return None
