"""WhatsApp Cloud API calls: one /messages request (a queued reply part, retried) and its
wamid, marking the user's message read with the typing indicator, and reading a phone number
(whether a token controls it)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import aiohttp

from connectors.context import SendContext
from connectors.retry import ApiResult, RetryPolicy, call_api
from connectors.whatsapp.format import read_receipt

DEFAULT_API_URL = "https://graph.facebook.com/v21.0"


def messages_url(ctx: SendContext) -> str:
    """POST <api>/<PHONE_NUMBER_ID>/messages."""
    return f"{ctx.api_url}/{ctx.account.account_id}/messages"


async def whatsapp_request(ctx: SendContext, body: dict[str, Any]) -> ApiResult:
    """One /messages call with the account's token, retried per the context's policy."""
    return await call_api(
        ctx.client,
        "POST",
        messages_url(ctx),
        json_body=body,
        headers={"Authorization": f"Bearer {ctx.account.access_token or ''}"},
        policy=ctx.policy,
        sleep=ctx.sleep,
    )


def whatsapp_message_id(ctx: SendContext, result: ApiResult) -> str | None:
    """The wamid of a sent message: {"messages": [{"id": "wamid..."}]}."""
    body = result.body
    if isinstance(body, dict):
        messages = body.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            ident = messages[0].get("id")
            return str(ident) if ident else None
    return None


async def mark_whatsapp_read(ctx: SendContext, wamid: str) -> ApiResult:
    """Blue ticks plus typing indicator; best effort, a single attempt."""
    once = replace(ctx, policy=replace(ctx.policy, attempts=1))
    return await whatsapp_request(once, read_receipt(wamid))


async def read_phone_number(
    client: aiohttp.ClientSession,
    api_url: str,
    phone_number_id: str,
    access_token: str,
    *,
    policy: RetryPolicy | None = None,
) -> ApiResult:
    """GET <api>/<PHONE_NUMBER_ID> with the token: {"id", "display_phone_number",
    "verified_name"} when the token may use that number, a Graph error otherwise."""
    return await call_api(
        client,
        "GET",
        f"{api_url.rstrip('/')}/{phone_number_id}?fields=id,display_phone_number,verified_name",
        headers={"Authorization": f"Bearer {access_token}"},
        policy=policy,
    )


def phone_number_id_of(body: Any) -> str | None:
    """`id` of a phone number read, or None."""
    if isinstance(body, dict) and body.get("id") is not None:
        return str(body["id"])
    return None
