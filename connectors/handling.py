"""Handling one claimed inbound message, without Rasa: the assistant is an injected callback.

The inbox (connectors.inbox) claims stored messages one at a time per conversation; for each,
`Handler.handle` finds the account that may answer, skips what the platform forbids answering
(outside its reply window), acknowledges on the platform (read, typing, button spinner),
resolves a "#<n>" button reference to the payload it stood for, answers media, expired buttons
and over-long text itself, and hands the rest to `respond` (in a Rasa process: the agent, see
connectors.webhook). Then, in one transaction, the message is marked done (failed with the
reason if it could not be answered) and the replies are queued for the outbox sender.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from booking_core.messaging.inbox import claim_next, complete_inbound
from booking_core.messaging.records import ClaimedJob, Job
from booking_core.messaging.store import stored_buttons
from connectors.context import PlatformClient, SendContext
from connectors.inbound import TO_RASA
from connectors.limits import TOO_LONG_REPLY, too_long
from connectors.outgoing import Outgoing
from connectors.platform import Platform
from connectors.text import parse_button_reference

logger = logging.getLogger(__name__)

TEXT_ONLY_REPLY = "I can only read text for now. Please type your message."
EXPIRED_BUTTON_REPLY = "That button is no longer available. Please type your answer."

#: The assistant: (message, conversation, text for NLU, taken over from a dead process) ->
#: the platform requests of its answer.
Respond = Callable[[Job, SendContext, str, bool], Awaitable[list[Outgoing]]]


def sender_id(job: Job) -> str:
    """Rasa's conversation id: namespaced so two tenants' (or channels') users never share one."""
    return conversation_id(job.tenant.slug, job.inbound.channel, job.inbound.platform_user_id)


def conversation_id(tenant_slug: str, channel: str, platform_user_id: str) -> str:
    """ "<tenant slug>:<channel>:<platform user id>"."""
    return f"{tenant_slug}:{channel}:{platform_user_id}"


def split_conversation_id(conversation: str) -> tuple[str, str, str] | None:
    """(tenant slug, channel, platform user id) of a conversation id, or None when it is not
    one (user ids may hold colons; slugs and channel names do not)."""
    slug, sep, rest = conversation.partition(":")
    channel, sep2, user = rest.partition(":")
    if not (sep and sep2 and slug and channel and user):
        return None
    return slug, channel, user


def message_metadata(job: Job) -> dict[str, Any]:
    """What the actions get in `tracker.latest_message["metadata"]`."""
    inbound = job.inbound
    return {
        "tenant": job.tenant.slug,
        "tenant_id": job.tenant.id,
        "channel": inbound.channel,
        "account_id": inbound.account_id,
        "platform_message_id": inbound.platform_message_id,
        "platform_user_id": inbound.platform_user_id,
        "display_name": inbound.display_name,
        "locale": job.tenant.locale,
        "language": inbound.language,
        "timezone": job.tenant.timezone,
        "kind": inbound.kind,
        "edited": inbound.kind == "edit",
        "sent_at": inbound.sent_at.isoformat() if inbound.sent_at else None,
    }


async def resolve_text(job: Job, database_url: str | None) -> str | None:
    """The text for the assistant; a "#<n>" button reference becomes the payload it stood for
    (None: the button is no longer known)."""
    text = job.inbound.text
    if job.inbound.kind != "button" or text is None:
        return text
    index = parse_button_reference(text)
    if index is None:
        return text
    if not job.inbound.reply_to:
        return None
    buttons = await asyncio.to_thread(
        stored_buttons,
        database_url,
        tenant_id=job.tenant.id,
        channel=job.inbound.channel,
        platform_message_id=job.inbound.reply_to,
    )
    if not buttons or index >= len(buttons):
        return None
    payload = buttons[index].get("payload") or buttons[index].get("title")
    return str(payload) if payload else None


class Handler:
    """Handles the claimed messages of one channel (see the module docstring)."""

    def __init__(
        self,
        platform: Platform,
        client: PlatformClient,
        respond: Respond,
        *,
        lease: Callable[[], timedelta],
        on_replies: Callable[[], None] = lambda: None,
    ) -> None:
        self.platform = platform
        self.channel = platform.channel
        self.client = client
        self.respond = respond
        self._lease = lease
        #: Called after replies were queued (the local outbox sender looks at once).
        self.on_replies = on_replies

    async def claim(self, limit: int, exclude: frozenset[int]) -> list[ClaimedJob]:
        """The inbox's fetch: the next messages of conversations not being handled."""
        return await asyncio.to_thread(
            claim_next,
            self.client.database_url,
            channel=self.channel,
            limit=limit,
            lease=self._lease(),
            exclude=exclude,
        )

    async def handle(self, claimed: ClaimedJob) -> bool:
        """Handle one claimed message, then mark it done and queue its replies in one
        transaction. True when the inbox should look again: the conversation's next message
        is waiting, or the outcome is not known."""
        job = claimed.job
        if claimed.previous_claim is not None:
            logger.warning("%s message %s taken over from a process that stopped while handling "
                           "it", self.channel, job.message_id)  # fmt: skip
        replies: list[Outgoing] = []
        error: str | None = None
        try:
            replies, error = await self._answer(claimed)
        except Exception as exc:
            logger.exception("%s message %s failed", self.channel, job.message_id)
            replies, error = [], f"{type(exc).__name__}: {exc}"
        try:
            completed = await asyncio.to_thread(
                complete_inbound,
                self.client.database_url,
                claimed,
                error=error,
                replies=replies,
                account_id=job.inbound.account_id,
                recipient=job.inbound.chat_id,
            )
        except Exception:
            logger.exception("could not complete %s message %s", self.channel, job.message_id)
            return True
        if not completed:
            logger.warning("%s message %s was taken over by another process; its replies are "
                           "dropped here", self.channel, job.message_id)  # fmt: skip
            return True
        if replies:
            self.on_replies()
        return completed.next_waiting

    async def _answer(self, claimed: ClaimedJob) -> tuple[list[Outgoing], str | None]:
        """The replies to one message, or the reason it is not answered."""
        job = claimed.job
        inbound = job.inbound
        account = await self.client.find_account(inbound.account_id or "", job.tenant.id)
        if account is None:
            return [], "account no longer configured"
        skip = self.platform.skip_reason(inbound)
        if skip is not None:
            return [], skip
        ctx = self.client.context_for(account, tenant_id=job.tenant.id, contact_id=job.contact_id,
                                      recipient=inbound.chat_id)  # fmt: skip
        await self.platform.acknowledge(ctx, inbound)
        if inbound.kind not in TO_RASA:
            return self.platform.format(ctx.recipient, text=TEXT_ONLY_REPLY), None
        text = await resolve_text(job, ctx.database_url)
        if not text:
            if inbound.kind == "button":
                return self.platform.format(ctx.recipient, text=EXPIRED_BUTTON_REPLY), None
            return [], None
        if too_long(text):  # NLU on it would hold the event loop for seconds
            return self.platform.format(ctx.recipient, text=TOO_LONG_REPLY), None
        taken_over = claimed.previous_claim is not None
        return await self.respond(job, ctx, text, taken_over), None
