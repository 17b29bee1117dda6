"""Rasa's output channels of the platforms: `PlatformOutput` collects what Rasa says while
handling a message as platform requests (queued when the message is completed, sent by the
outbox sender); `QueuedOutput` serves Rasa's `trigger_intent` (no message being handled) by
queueing through the public send API (connectors.send)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from rasa.core.channels.channel import OutputChannel

from booking_core.db.repository.tenants import get_tenant_by_slug
from booking_core.db.session import session_scope
from connectors.context import SendContext
from connectors.handling import split_conversation_id
from connectors.outgoing import Outgoing
from connectors.platform import Platform
from connectors.send import send_message

__all__ = ["PlatformOutput", "QueuedOutput", "SendContext"]
logger = logging.getLogger(__name__)


class PlatformOutput(OutputChannel):
    """Rasa output channel bound to one conversation: collects what Rasa says as platform
    requests. Nothing is sent from here: the requests are queued when the message is completed
    (`complete_inbound`) and the outbox sender sends them, so a crash while Rasa works never
    leaves a half-known send behind.

    Rasa passes its own sender id as `recipient_id`; the platform recipient comes from the
    context instead, since the sender id is namespaced by tenant and channel.
    """

    channel_name: ClassVar[str] = ""

    def __init__(self, ctx: SendContext, platform: Platform) -> None:
        self.ctx = ctx
        self.platform = platform
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
        """The platform requests of one bot message (Platform.format)."""
        return self.platform.format(self.ctx.recipient, text=text, buttons=buttons, image=image,
                                    custom=custom, vertical=vertical)  # fmt: skip

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


def tenant_id_of(slug: str, database_url: str | None) -> int | None:
    """The id of the tenant with this slug, None when there is none."""
    with session_scope(database_url) as session:
        tenant = get_tenant_by_slug(session, slug=slug)
        return tenant.id if tenant is not None else None


class QueuedOutput(OutputChannel):
    """The output of `POST /conversations/<tenant slug>:<channel>:<user id>/trigger_intent
    ?output_channel=<channel>`: each bot message is queued through the public send API for the
    tenant the conversation id names (looked up here, never taken from the caller). A
    conversation of another channel or of an unknown tenant is refused with a logged error, as
    is a message the platform's window forbids; nothing is sent then."""

    def __init__(self, channel: str, database_url: str | None) -> None:
        self.channel = channel
        self.database_url = database_url
        #: What was queued (the stored messages), for the caller and tests.
        self.queued: list[Any] = []

    @classmethod
    def name(cls) -> str:
        """Rasa's name for it."""
        return "queued"

    async def _queue(
        self, conversation: str, text: str, buttons: list[dict[str, Any]] | None
    ) -> None:
        parts = split_conversation_id(conversation)
        if parts is None or parts[1] != self.channel:
            logger.error("%s output refused for conversation %r: not a %s conversation",
                         self.channel, conversation, self.channel)  # fmt: skip
            return
        slug, channel, user = parts
        try:
            tenant_id = await asyncio.to_thread(tenant_id_of, slug, self.database_url)
            if tenant_id is None:
                logger.error("%s output refused: no tenant %r", channel, slug)
                return
            stored = await asyncio.to_thread(send_message, channel, tenant_id, user, text,
                                             buttons, database_url=self.database_url)  # fmt: skip
        except Exception as exc:  # refused (window, unknown contact) or the database failed
            logger.error("%s message to %s not queued: %s", channel, conversation, exc)
            return
        self.queued.append(stored)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Queue a text."""
        await self._queue(recipient_id, text, None)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Queue a text with buttons."""
        await self._queue(recipient_id, text, buttons)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Queue the image's link as text (the send API carries text and buttons)."""
        await self._queue(recipient_id, image, None)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Not supported outside a conversation turn: logged, not sent."""
        logger.error("%s output: custom messages cannot be queued for %s; dropped", self.channel,
                     recipient_id)  # fmt: skip
