"""Sending and recording: every message the bot sends is one platform request whose outcome
(platform id, or the final error after retries) is stored as an outbound message row."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import aiohttp
from rasa.core.channels.channel import OutputChannel

from connectors.accounts import Account
from connectors.outgoing import Outgoing
from connectors.retry import ApiResult, RetryPolicy
from connectors.store import begin_outbound, finish_outbound

logger = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class SendOutcome:
    """What happened to one outgoing message."""

    ok: bool
    platform_message_id: str | None
    error: str | None
    row_id: int | None


Sender = Callable[[SendContext, dict[str, Any]], Awaitable[ApiResult]]
IdReader = Callable[[SendContext, ApiResult], "str | None"]


async def deliver(
    ctx: SendContext, parts: list[Outgoing], send: Sender, message_id_of: IdReader
) -> list[SendOutcome]:
    """Send the parts in order and record each; stop at the first failure (the rest would read
    out of context), log it, never raise."""
    outcomes: list[SendOutcome] = []
    for part in parts:
        payload: dict[str, Any] = {"request": part.body}
        if part.buttons:
            payload["buttons"] = part.buttons
        row_id: int | None = None
        try:
            row_id = await asyncio.to_thread(
                begin_outbound,
                ctx.database_url,
                tenant_id=ctx.tenant_id,
                contact_id=ctx.contact_id,
                channel=ctx.channel,
                text=part.text,
                payload=payload,
            )
        except Exception:
            logger.exception("could not record the outbound %s message", ctx.channel)
        result = await send(ctx, part.body)
        platform_id = message_id_of(ctx, result) if result.ok else None
        error = None if result.ok else (result.error or "send failed")
        if error:
            logger.error(
                "%s reply to %s failed after %d attempt(s): %s",
                ctx.channel,
                ctx.recipient,
                result.attempts,
                error,
            )
        if row_id is not None:
            try:
                await asyncio.to_thread(
                    finish_outbound,
                    ctx.database_url,
                    row_id,
                    platform_message_id=platform_id,
                    error=error,
                )
            except Exception:
                logger.exception("could not record the outcome of %s message", ctx.channel)
        outcomes.append(SendOutcome(error is None, platform_id, error, row_id))
        if error:
            break
    return outcomes


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
