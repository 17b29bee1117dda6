"""WhatsApp Cloud API as a `Platform`: routed by phone_number_id, signed by the Meta app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.accounts import Account
from connectors.context import SendContext
from connectors.inbound import InboundMessage, ParsedBatch
from connectors.meta import Decoded, MetaPlatform
from connectors.outgoing import Outgoing
from connectors.platform import optional
from connectors.retry import ApiResult
from connectors.whatsapp.api import (
    DEFAULT_API_URL,
    mark_whatsapp_read,
    whatsapp_message_id,
    whatsapp_request,
)
from connectors.whatsapp.format import whatsapp_parts
from connectors.whatsapp.parse import whatsapp_account_ids, whatsapp_batch


class WhatsAppPlatform(MetaPlatform):
    """Text, reply buttons and lists; read receipts with the typing indicator."""

    channel = "whatsapp"
    default_api_url = DEFAULT_API_URL
    api_url_env = "WHATSAPP_API_URL"
    credential_variables = {
        "verify_token": "WHATSAPP_VERIFY_TOKEN",
        "app_secret": "WHATSAPP_APP_SECRET",
        "access_token": "WHATSAPP_ACCESS_TOKEN",
        "phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
    }

    def account_from_credentials(self, credentials: Mapping[str, Any]) -> Account | None:
        """verify_token, app_secret, access_token, phone_number_id (without the number only
        accounts stored in the database are served)."""
        if not credentials.get("phone_number_id"):
            return None
        return Account(
            channel=self.channel,
            account_id=str(credentials["phone_number_id"]),
            access_token=optional(credentials.get("access_token")),
            app_secret=optional(credentials.get("app_secret")),
            verify_token=optional(credentials.get("verify_token")),
        )

    def batch_of(self, data: Decoded) -> ParsedBatch:
        """whatsapp_batch."""
        return whatsapp_batch(data)

    def account_ids(self, data: Decoded) -> frozenset[str]:
        """entry[].changes[].value.metadata.phone_number_id."""
        return whatsapp_account_ids(data)

    async def acknowledge(self, ctx: SendContext, inbound: InboundMessage) -> None:
        """Blue ticks plus the typing indicator."""
        await mark_whatsapp_read(ctx, inbound.platform_message_id)

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
        """whatsapp_parts (buttons are never vertical here: WhatsApp lays them out itself)."""
        return whatsapp_parts(recipient, text=text, buttons=buttons, image=image, custom=custom)

    async def send(self, ctx: SendContext, payload: Mapping[str, Any]) -> ApiResult:
        """One /messages request."""
        return await whatsapp_request(ctx, payload["request"])

    def message_id(self, ctx: SendContext, result: ApiResult) -> str | None:
        """The wamid."""
        return whatsapp_message_id(ctx, result)
