"""Instagram messaging as a `Platform`: routed by entry.id, signed by the Meta app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.accounts import Account
from connectors.context import SendContext
from connectors.inbound import InboundMessage, ParsedBatch
from connectors.instagram.api import (
    DEFAULT_API_URL,
    instagram_message_id,
    instagram_request,
    mark_seen_and_typing,
)
from connectors.instagram.format import instagram_parts
from connectors.instagram.parse import instagram_account_ids, instagram_batch
from connectors.meta import Decoded, MetaPlatform
from connectors.outgoing import Outgoing
from connectors.platform import optional
from connectors.retry import ApiResult


class InstagramPlatform(MetaPlatform):
    """Text with quick replies and images; mark seen and typing."""

    channel = "instagram"
    default_api_url = DEFAULT_API_URL
    api_url_env = "INSTAGRAM_API_URL"
    credential_variables = {
        "app_id": "INSTAGRAM_APP_ID",
        "app_secret": "INSTAGRAM_APP_SECRET",
        "page_id": "INSTAGRAM_PAGE_ID",
        "access_token": "INSTAGRAM_ACCESS_TOKEN",
        "verify_token": "INSTAGRAM_VERIFY_TOKEN",
    }

    def account_from_credentials(self, credentials: Mapping[str, Any]) -> Account | None:
        """page_id (the Instagram account id), access_token, app_secret, verify_token."""
        if not credentials.get("page_id"):
            return None
        return Account(
            channel=self.channel,
            account_id=str(credentials["page_id"]),
            access_token=optional(credentials.get("access_token")),
            app_secret=optional(credentials.get("app_secret")),
            verify_token=optional(credentials.get("verify_token")),
        )

    def batch_of(self, data: Decoded) -> ParsedBatch:
        """instagram_batch."""
        return instagram_batch(data)

    def account_ids(self, data: Decoded) -> frozenset[str]:
        """entry[].id."""
        return instagram_account_ids(data)

    async def acknowledge(self, ctx: SendContext, inbound: InboundMessage) -> None:
        """Mark seen, then typing."""
        await mark_seen_and_typing(ctx)

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
        """instagram_parts."""
        return instagram_parts(recipient, text=text, buttons=buttons, image=image, custom=custom)

    async def send(self, ctx: SendContext, payload: Mapping[str, Any]) -> ApiResult:
        """One /messages request."""
        return await instagram_request(ctx, payload["request"])

    def message_id(self, ctx: SendContext, result: ApiResult) -> str | None:
        """The mid."""
        return instagram_message_id(ctx, result)
