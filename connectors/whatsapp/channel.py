"""WhatsApp Cloud API as a Rasa channel: GET/POST /whatsapp_webhook, routed by phone_number_id."""

from __future__ import annotations

import os
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse

from booking_core.messaging.records import Job
from booking_core.messaging.windows import META_CUSTOMER_SERVICE_WINDOW as REPLY_WINDOW
from connectors.accounts import Account
from connectors.inbound import InboundMessage, ParsedBatch
from connectors.meta import admit_meta
from connectors.outbound import PlatformOutput, SendContext
from connectors.outgoing import Outgoing
from connectors.retry import ApiResult
from connectors.webhook import (
    OnNewMessage,
    WebhookInput,
    hand_to_rasa,
    recent_enough,
    resolve_text,
)
from connectors.whatsapp.api import (
    DEFAULT_API_URL,
    mark_whatsapp_read,
    whatsapp_message_id,
    whatsapp_request,
)
from connectors.whatsapp.format import text_parts, whatsapp_parts
from connectors.whatsapp.parse import parse_whatsapp, whatsapp_account_ids, whatsapp_batch


class WhatsAppOutput(PlatformOutput):
    """Rasa's responses as WhatsApp messages (text, reply buttons, lists, images)."""

    channel_name = "whatsapp"

    def format(
        self,
        *,
        text: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        image: str | None = None,
        custom: dict[str, Any] | None = None,
        vertical: bool = False,
    ) -> list[Outgoing]:
        """whatsapp_parts for this conversation."""
        return whatsapp_parts(
            self.ctx.recipient, text=text, buttons=buttons, image=image, custom=custom
        )


async def process_whatsapp_message(
    job: Job, ctx: SendContext, on_new_message: OnNewMessage
) -> WhatsAppOutput:
    """Mark read + typing, then hand the message to Rasa with a WhatsApp output channel."""
    await mark_whatsapp_read(ctx, job.inbound.platform_message_id)
    output = WhatsAppOutput(ctx)
    text = await resolve_text(job, ctx.database_url)
    await hand_to_rasa(job, output, on_new_message, text)
    return output


class WhatsAppInput(WebhookInput):
    """WhatsApp Cloud API webhook; the default tenant's number comes from credentials.yml."""

    channel = "whatsapp"
    default_api_url = DEFAULT_API_URL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        """verify_token, app_secret, access_token, phone_number_id (all optional: without them
        only accounts stored in the database are served)."""
        creds = credentials or {}
        account = None
        if creds.get("phone_number_id"):
            account = Account(
                channel=cls.channel,
                account_id=str(creds["phone_number_id"]),
                access_token=_opt(creds.get("access_token")),
                app_secret=_opt(creds.get("app_secret")),
                verify_token=_opt(creds.get("verify_token")),
            )
        return cls(account, api_url=os.environ.get("WHATSAPP_API_URL") or None)

    def parse(self, body: bytes) -> ParsedBatch:
        """parse_whatsapp."""
        return parse_whatsapp(body)

    async def admit(self, request: Request) -> tuple[ParsedBatch, list[Account]] | HTTPResponse:
        """X-Hub-Signature-256 with the app secrets of the accounts the body names."""
        return await admit_meta(request, self.directory, whatsapp_batch, whatsapp_account_ids)

    def skip_reason(self, inbound: InboundMessage) -> str | None:
        """Messages older than the 24-hour window cannot be answered (and may be replays)."""
        if recent_enough(inbound, REPLY_WINDOW):
            return None
        return "older than the 24-hour reply window; not answered"

    async def process(
        self, job: Job, ctx: SendContext, on_new_message: OnNewMessage
    ) -> PlatformOutput:
        """process_whatsapp_message."""
        return await process_whatsapp_message(job, ctx, on_new_message)

    async def send_stored(self, ctx: SendContext, payload: dict[str, Any]) -> ApiResult:
        """One queued /messages request."""
        return await whatsapp_request(ctx, payload["request"])

    def message_id_of(self, ctx: SendContext, result: ApiResult) -> str | None:
        """The wamid."""
        return whatsapp_message_id(ctx, result)

    def notice_request(self, recipient: str, text: str) -> dict[str, Any]:
        """A text message (notices are short: one part)."""
        return {"request": text_parts(recipient, text)[0].body}


def _opt(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
