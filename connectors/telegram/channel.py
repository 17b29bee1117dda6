"""Telegram Bot API as a Rasa channel: GET/POST /telegram_webhook, routed by the secret token."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from booking_core.messaging.records import Job
from connectors.accounts import Account
from connectors.inbound import InboundMessage, ParsedBatch
from connectors.outbound import PlatformOutput, SendContext
from connectors.outgoing import Outgoing
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
from connectors.webhook import OnNewMessage, WebhookInput, hand_to_rasa, resolve_text

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def bot_id(bot_token: str) -> str:
    """The bot's numeric id, the part of the token before the colon."""
    return bot_token.split(":", 1)[0]


class TelegramOutput(PlatformOutput):
    """Rasa's responses as Telegram messages (text, inline keyboards, photos)."""

    channel_name = "telegram"

    def format(
        self,
        *,
        text: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        image: str | None = None,
        custom: dict[str, Any] | None = None,
        vertical: bool = False,
    ) -> list[Outgoing]:
        """telegram_parts for this conversation, each with its Bot API method."""
        parts = telegram_parts(
            self.ctx.recipient,
            text=text,
            buttons=buttons,
            image=image,
            custom=custom,
            vertical=vertical,
        )
        return [replace(part, method=method) for method, part in parts]


async def process_telegram_message(
    job: Job, ctx: SendContext, on_new_message: OnNewMessage
) -> TelegramOutput:
    """Answer a button press (and remove its keyboard), show typing, hand the message to Rasa."""
    inbound = job.inbound
    if inbound.callback_query_id:
        await acknowledge_button(ctx, inbound.callback_query_id, inbound.reply_to)
    await send_typing(ctx)
    output = TelegramOutput(ctx)
    text = await resolve_text(job, ctx.database_url)
    await hand_to_rasa(job, output, on_new_message, text)
    return output


class TelegramInput(WebhookInput):
    """Telegram webhook; authenticated and routed by X-Telegram-Bot-Api-Secret-Token."""

    channel = "telegram"
    default_api_url = DEFAULT_API_URL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        """bot_token and webhook_secret of the default tenant's bot (optional)."""
        creds = credentials or {}
        account = None
        token = str(creds.get("bot_token") or "")
        if token:
            account = Account(
                channel=cls.channel,
                account_id=bot_id(token),
                bot_token=token,
                webhook_secret=str(creds.get("webhook_secret") or "") or None,
            )
        return cls(account, api_url=os.environ.get("TELEGRAM_API_URL") or None)

    async def verify(self, request: Request) -> HTTPResponse:
        """Echo the `challenge` query parameter (the integration plan's reachability check)."""
        return response.text(str(request.args.get("challenge") or "ok"))

    def parse(self, body: bytes) -> ParsedBatch:
        """parse_telegram."""
        return parse_telegram(body)

    async def authenticate(self, request: Request) -> list[Account] | HTTPResponse:
        """The bot whose webhook secret the header carries (401 missing, 403 unknown)."""
        secret = request.headers.get(SECRET_HEADER)
        if not secret:
            return response.text("missing secret token", status=401)
        account = await asyncio.to_thread(self.directory.find_by_secret, secret)
        if account is None:
            return response.text("bad secret token", status=403)
        return [account]

    def route(self, inbound: InboundMessage, accounts: list[Account]) -> Account | None:
        """One bot per request: the authenticated one."""
        return accounts[0] if accounts else None

    def keyed_for(self, account: Account, inbound: InboundMessage) -> InboundMessage:
        """ "<bot id>:<update_id>": update ids are counted per bot, so a tenant's two bots send
        the same ones, and keyed by update_id alone the second bot's updates were dropped as
        duplicates."""
        key = f"{account.account_id}:{inbound.platform_message_id}"
        return replace(inbound, platform_message_id=key)

    async def process(
        self, job: Job, ctx: SendContext, on_new_message: OnNewMessage
    ) -> PlatformOutput:
        """process_telegram_message."""
        return await process_telegram_message(job, ctx, on_new_message)

    async def send_stored(self, ctx: SendContext, payload: dict[str, Any]) -> ApiResult:
        """One queued Bot API call (sendMessage, sendPhoto, ...)."""
        return await telegram_call(ctx, payload.get("method") or "sendMessage", payload["request"])

    def message_id_of(self, ctx: SendContext, result: ApiResult) -> str | None:
        """ "<chat id>:<message id>"."""
        return telegram_message_id(ctx, result)

    def notice_request(self, recipient: str, text: str) -> dict[str, Any]:
        """sendMessage (notices are short: one part)."""
        method, part = telegram_parts(recipient, text=text)[0]
        return {"method": method, "request": part.body}
