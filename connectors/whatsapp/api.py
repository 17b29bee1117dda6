"""WhatsApp Cloud API calls: send a bot message (chunked, buttons, retried, recorded) and
mark the user's message read with the typing indicator."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from connectors.outbound import SendContext, SendOutcome, deliver
from connectors.retry import ApiResult, call_api
from connectors.whatsapp.format import read_receipt, whatsapp_parts

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


async def send_whatsapp_message(
    ctx: SendContext,
    *,
    text: str | None = None,
    buttons: list[dict[str, Any]] | None = None,
    image: str | None = None,
    custom: dict[str, Any] | None = None,
) -> list[SendOutcome]:
    """Send one bot message to `ctx.recipient` and record every request's outcome."""
    parts = whatsapp_parts(ctx.recipient, text=text, buttons=buttons, image=image, custom=custom)
    return await deliver(ctx, parts, whatsapp_request, whatsapp_message_id)


async def mark_whatsapp_read(ctx: SendContext, wamid: str) -> ApiResult:
    """Blue ticks plus typing indicator; best effort, a single attempt."""
    once = replace(ctx, policy=replace(ctx.policy, attempts=1))
    return await whatsapp_request(once, read_receipt(wamid))
