"""Instagram messaging API calls (Instagram API with Instagram Login, graph.instagram.com):
one /messages request (a queued reply part, retried) and its mid, mark seen and typing, and
reading the account a token belongs to."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import aiohttp

from connectors.context import SendContext
from connectors.instagram.format import sender_action
from connectors.retry import ApiResult, RetryPolicy, call_api

DEFAULT_API_URL = "https://graph.instagram.com/v23.0"


async def instagram_request(ctx: SendContext, body: dict[str, Any]) -> ApiResult:
    """POST <api>/<IG_ID>/messages with the account's token, retried per the policy."""
    return await call_api(
        ctx.client,
        "POST",
        f"{ctx.api_url}/{ctx.account.account_id}/messages",
        json_body=body,
        headers={"Authorization": f"Bearer {ctx.account.access_token or ''}"},
        policy=ctx.policy,
        sleep=ctx.sleep,
    )


def instagram_message_id(ctx: SendContext, result: ApiResult) -> str | None:
    """{"recipient_id": ..., "message_id": "..."} -> the mid."""
    body = result.body
    if isinstance(body, dict) and body.get("message_id"):
        return str(body["message_id"])
    return None


async def mark_seen_and_typing(ctx: SendContext) -> None:
    """Best effort, one attempt each."""
    once = replace(ctx, policy=replace(ctx.policy, attempts=1))
    await instagram_request(once, sender_action(ctx.recipient, "mark_seen"))
    await instagram_request(once, sender_action(ctx.recipient, "typing_on"))


async def read_me(
    client: aiohttp.ClientSession,
    api_url: str,
    access_token: str,
    *,
    policy: RetryPolicy | None = None,
) -> ApiResult:
    """GET <api>/me?fields=user_id,username: the professional account the token belongs to
    (`user_id` is the Instagram account id webhooks carry as entry.id)."""
    return await call_api(
        client,
        "GET",
        f"{api_url.rstrip('/')}/me?fields=user_id,username",
        headers={"Authorization": f"Bearer {access_token}"},
        policy=policy,
    )


def account_id_of(body: Any) -> str | None:
    """`user_id` of a /me answer (flat, or inside "data" as some examples show), or None."""
    if isinstance(body, dict) and isinstance(body.get("data"), list) and body["data"]:
        body = body["data"][0]
    if isinstance(body, dict) and body.get("user_id") is not None:
        return str(body["user_id"])
    return None
