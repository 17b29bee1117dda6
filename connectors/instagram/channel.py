"""Instagram messaging as a Rasa channel: GET/POST /instagram_webhook, routed by entry.id."""

from __future__ import annotations

import os
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse

from booking_core.messaging.records import Job
from booking_core.messaging.windows import META_CUSTOMER_SERVICE_WINDOW as REPLY_WINDOW
from connectors.accounts import Account
from connectors.inbound import InboundMessage, ParsedBatch
from connectors.instagram.api import (
    DEFAULT_API_URL,
    instagram_message_id,
    instagram_request,
    mark_seen_and_typing,
)
from connectors.instagram.format import instagram_parts
from connectors.instagram.parse import instagram_account_ids, instagram_batch, parse_instagram
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


class InstagramOutput(PlatformOutput):
    """Rasa's responses as Instagram messages (text, quick replies, images)."""

    channel_name = "instagram"

    def format(
        self,
        *,
        text: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        image: str | None = None,
        custom: dict[str, Any] | None = None,
        vertical: bool = False,
    ) -> list[Outgoing]:
        """instagram_parts for this conversation."""
        return instagram_parts(
            self.ctx.recipient, text=text, buttons=buttons, image=image, custom=custom
        )


async def process_instagram_message(
    job: Job, ctx: SendContext, on_new_message: OnNewMessage
) -> InstagramOutput:
    """Mark seen + typing, then hand the message to Rasa with an Instagram output channel."""
    await mark_seen_and_typing(ctx)
    output = InstagramOutput(ctx)
    text = await resolve_text(job, ctx.database_url)
    await hand_to_rasa(job, output, on_new_message, text)
    return output


class InstagramInput(WebhookInput):
    """Instagram webhook; the default tenant's account comes from credentials.yml."""

    channel = "instagram"
    default_api_url = DEFAULT_API_URL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InstagramInput:
        """page_id (the Instagram account id), access_token, app_secret, verify_token, app_id."""
        creds = credentials or {}
        account = None
        if creds.get("page_id"):
            account = Account(
                channel=cls.channel,
                account_id=str(creds["page_id"]),
                access_token=str(creds.get("access_token") or "") or None,
                app_secret=str(creds.get("app_secret") or "") or None,
                verify_token=str(creds.get("verify_token") or "") or None,
            )
        return cls(account, api_url=os.environ.get("INSTAGRAM_API_URL") or None)

    def parse(self, body: bytes) -> ParsedBatch:
        """parse_instagram."""
        return parse_instagram(body)

    async def admit(self, request: Request) -> tuple[ParsedBatch, list[Account]] | HTTPResponse:
        """X-Hub-Signature-256 with the app secrets of the accounts the body names."""
        return await admit_meta(request, self.directory, instagram_batch, instagram_account_ids)

    def skip_reason(self, inbound: InboundMessage) -> str | None:
        """Messages older than the 24-hour window cannot be answered (and may be replays)."""
        if recent_enough(inbound, REPLY_WINDOW):
            return None
        return "older than the 24-hour reply window; not answered"

    async def process(
        self, job: Job, ctx: SendContext, on_new_message: OnNewMessage
    ) -> PlatformOutput:
        """process_instagram_message."""
        return await process_instagram_message(job, ctx, on_new_message)

    async def send_stored(self, ctx: SendContext, payload: dict[str, Any]) -> ApiResult:
        """One queued /messages request."""
        return await instagram_request(ctx, payload["request"])

    def message_id_of(self, ctx: SendContext, result: ApiResult) -> str | None:
        """The mid."""
        return instagram_message_id(ctx, result)

    def notice_request(self, recipient: str, text: str) -> dict[str, Any]:
        """A text message (notices are short: one part)."""
        return {"request": instagram_parts(recipient, text=text)[0].body}
