"""Register a tenant's Telegram bot webhook with a fresh secret token, through the connectors'
Bot API client (`connectors.telegram.api.set_webhook`)."""

from __future__ import annotations

import secrets

import anyio.from_thread

from connectors.retry import RetryPolicy, new_session
from connectors.telegram.api import set_webhook


class WebhookError(RuntimeError):
    """setWebhook failed; the message never contains the bot token."""


def new_webhook_secret() -> str:
    """A random secret_token (Telegram allows 1-256 of A-Z a-z 0-9 _ -)."""
    return secrets.token_urlsafe(48)


def bot_id(bot_token: str) -> str:
    """The bot id: the part of a token before the colon."""
    return bot_token.split(":", 1)[0]


async def _register(api_url: str, bot_token: str, url: str, secret: str, timeout: float) -> None:
    policy = RetryPolicy(attempts=2, base_delay=0.2, max_delay=1.0, max_wait=2.0, timeout=timeout)
    async with new_session(policy) as client:
        result = await set_webhook(client, api_url, bot_token, url, secret, policy=policy)
    body = result.body
    if result.ok and isinstance(body, dict) and body.get("ok") is True:
        return
    if isinstance(body, dict) and body.get("description"):
        reason = str(body["description"])[:200]
    elif result.status is not None:
        reason = f"HTTP {result.status}"
    else:
        reason = "Bot API unreachable"
    raise WebhookError(f"Telegram setWebhook failed: {reason.replace(bot_token, '<token>')}")


def register_webhook(
    *, api_url: str, bot_token: str, url: str, secret: str, timeout: float = 10.0
) -> None:
    """setWebhook from a worker thread of the API (sync routes run in one); raises WebhookError."""
    anyio.from_thread.run(_register, api_url, bot_token, url, secret, timeout)
