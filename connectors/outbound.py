"""What a conversation is answered with: the context of one conversation (who, from which
account, over what) and the Rasa output channel that collects what Rasa says as platform
requests, queued when the message is completed and sent by the outbox sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import aiohttp
from rasa.core.channels.channel import OutputChannel

from connectors.accounts import Account
from connectors.outgoing import Outgoing
from connectors.retry import RetryPolicy


@dataclass
class SendContext:
    """Everything needed to answer one conversation: who, from which account, over what."""

    client: aiohttp.ClientSession
    account: Account
    api_url: str
    database_url: str | None
    tenant_id: int
    contact_id: int
    recipient: str
    channel: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)


class PlatformOutput(OutputChannel):
    """Rasa output channel bound to one conversation: collects what Rasa says as platform
    requests. Nothing is sent from here: the requests are queued when the message is completed
    (`complete_inbound`) and the outbox sender sends them, so a crash while Rasa works never
    leaves a half-known send behind.

    Rasa passes its own sender id as `recipient_id`; the platform recipient comes from the
    context instead, since the sender id is namespaced by tenant and channel.
    """

    channel_name: ClassVar[str] = ""

    def __init__(self, ctx: SendContext) -> None:
        self.ctx = ctx
        self.queued: list[Outgoing] = []

    @classmethod
    def name(cls) -> str:
        """The platform's name."""
        return cls.channel_name

    def format(
        self,
        *,
        text: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        image: str | None = None,
        custom: dict[str, Any] | None = None,
        vertical: bool = False,
    ) -> list[Outgoing]:
        """The platform requests of one bot message (the platform's <platform>_parts)."""
        raise NotImplementedError

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Text, chunked at the platform's limit."""
        self.queued += self.format(text=text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Text with the platform's native buttons (`button_type: vertical`: one per row)."""
        vertical = kwargs.get("button_type") == "vertical"
        self.queued += self.format(text=text, buttons=buttons, vertical=vertical)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """An image by URL."""
        self.queued += self.format(image=image)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """A platform-native message body from a `custom` response."""
        self.queued += self.format(custom=json_message)
