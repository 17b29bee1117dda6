"""Telegram Bot API as a `Platform`: authenticated and routed by the webhook secret token."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from connectors.accounts import Account, AccountDirectory
from connectors.context import SendContext
from connectors.inbound import InboundMessage, ParsedBatch
from connectors.outgoing import Outgoing
from connectors.platform import Admitted, Delivery, Platform, Refusal, optional
from connectors.retry import ApiResult
from connectors.telegram.api import (
    DEFAULT_API_URL,
    acknowledge_button,
    send_typing,
    telegram_call,
    telegram_message_id,
)
from connectors.telegram.format import telegram_parts
from connectors.telegram.parse import parse_telegram

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def bot_id(bot_token: str) -> str:
    """The bot's numeric id, the part of the token before the colon."""
    return bot_token.split(":", 1)[0]


class TelegramPlatform(Platform):
    """Text with inline keyboards, photos; no reply window."""

    channel = "telegram"
    default_api_url = DEFAULT_API_URL
    api_url_env = "TELEGRAM_API_URL"
    credential_variables = {
        "bot_token": "TELEGRAM_BOT_TOKEN",
        "webhook_secret": "TELEGRAM_WEBHOOK_SECRET",
    }
    echo_challenge = True

    def account_from_credentials(self, credentials: Mapping[str, Any]) -> Account | None:
        """bot_token and webhook_secret of the default tenant's bot."""
        token = optional(credentials.get("bot_token"))
        if token is None:
            return None
        return Account(
            channel=self.channel,
            account_id=bot_id(token),
            bot_token=token,
            webhook_secret=optional(credentials.get("webhook_secret")),
        )

    def parse(self, body: bytes) -> ParsedBatch:
        """parse_telegram."""
        return parse_telegram(body)

    async def authenticate(
        self, delivery: Delivery, directory: AccountDirectory
    ) -> Admitted | Refusal:
        """The bot whose webhook secret the header carries (401 missing, 403 unknown)."""
        secret = delivery.headers.get(SECRET_HEADER)
        if not secret:
            return Refusal(401, "missing secret token")
        account = await asyncio.to_thread(directory.find_by_secret, secret)
        if account is None:
            return Refusal(403, "bad secret token")
        return self.parsed(delivery.body or b"", [account])

    def route(self, inbound: InboundMessage, accounts: list[Account]) -> Account | None:
        """One bot per request: the authenticated one."""
        return accounts[0] if accounts else None

    def keyed_for(self, account: Account, inbound: InboundMessage) -> InboundMessage:
        """ "<bot id>:<update_id>": update ids are counted per bot, so a tenant's two bots send
        the same ones, and keyed by update_id alone the second bot's updates were dropped as
        duplicates."""
        return replace(
            inbound, platform_message_id=f"{account.account_id}:{inbound.platform_message_id}"
        )

    async def acknowledge(self, ctx: SendContext, inbound: InboundMessage) -> None:
        """Answer a button press (and remove its keyboard), then show typing."""
        if inbound.callback_query_id:
            await acknowledge_button(ctx, inbound.callback_query_id, inbound.reply_to)
        await send_typing(ctx)

    def format(
        self,
        recipient: str,
        *,
        text: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        image: str | None = None,
        custom: dict[str, Any] | None = None,
        vertical: bool = False,
    ) -> list[Outgoing]:
        """telegram_parts, each with its Bot API method."""
        parts = telegram_parts(recipient, text=text, buttons=buttons, image=image, custom=custom,
                               vertical=vertical)  # fmt: skip
        return [replace(part, method=method) for method, part in parts]

    async def send(self, ctx: SendContext, payload: Mapping[str, Any]) -> ApiResult:
        """One Bot API call (sendMessage, sendPhoto, ...)."""
        return await telegram_call(ctx, payload.get("method") or "sendMessage", payload["request"])

    def message_id(self, ctx: SendContext, result: ApiResult) -> str | None:
        """ "<chat id>:<message id>"."""
        return telegram_message_id(ctx, result)
