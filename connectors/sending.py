"""The outbox sender of one channel, without Rasa: claim queued replies, send them through the
platform, record the outcome.

Replies are claimed one at a time per contact (connectors.store.claim_next_outbound), so a
contact's messages arrive in order; after a failure the rest of the same answer is not sent
(connectors.outcome). A row a dead sender left in "sending" is not sent again: it was probably
sent, and sending twice is worse than a gap. A stored row carries either the platform request
itself (a reply Rasa produced), a plain-text `notice` (booking_core.notices), or text and
buttons queued through the public send API (connectors.send), which the platform formats here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from booking_core.messaging.outbox import (
    UNKNOWN_SEND_OUTCOME,
    claim_next_outbound,
    finish_outbound,
    record_outcome,
)
from booking_core.messaging.records import QueuedReply
from connectors.context import PlatformClient, SendContext
from connectors.platform import Platform, stored_form
from connectors.retry import ApiResult

logger = logging.getLogger(__name__)


def stored_requests(
    platform: Platform, recipient: str, payload: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The platform requests one outbound row stands for (usually one)."""
    if "request" in payload:
        return [dict(payload)]
    notice = payload.get("notice")
    if isinstance(notice, str):
        return [{**payload, **platform.notice(recipient, notice)}]
    text = payload.get("text")
    buttons = payload.get("buttons")
    if isinstance(text, str) or buttons:
        parts = platform.format(recipient, text=text if isinstance(text, str) else None,
                                buttons=list(buttons or []) or None)  # fmt: skip
        return [{**payload, **stored_form(part)} for part in parts]
    return []


class Sender:
    """Sends the queued replies of one channel (see the module docstring)."""

    def __init__(
        self, platform: Platform, client: PlatformClient, *, lease: Callable[[], timedelta]
    ) -> None:
        self.platform = platform
        self.channel = platform.channel
        self.client = client
        self._lease = lease

    async def claim(self, limit: int, exclude: frozenset[int]) -> list[QueuedReply]:
        """The outbox's fetch: the next reply of contacts not being sent to."""
        return await asyncio.to_thread(
            claim_next_outbound,
            self.client.database_url,
            channel=self.channel,
            limit=limit,
            lease=self._lease(),
            exclude=exclude,
        )

    async def send(self, reply: QueuedReply) -> bool:
        """Send one queued reply and record the outcome; True when the outbox should look
        again (the contact's next reply is waiting)."""
        database_url = self.client.database_url
        if reply.abandoned:  # probably sent: the rest of the answer follows
            logger.warning("%s reply %s: %s", self.channel, reply.row_id, UNKNOWN_SEND_OUTCOME)
            await asyncio.to_thread(
                finish_outbound,
                database_url,
                reply.row_id,
                platform_message_id=None,
                error=UNKNOWN_SEND_OUTCOME,
            )
            return True
        account_id = str(reply.payload.get("account_id") or "")
        account = await self.client.find_account(account_id, reply.tenant_id)
        if account is None:
            return await record_outcome(database_url, reply, None, "account no longer configured")
        recipient = str(reply.payload.get("recipient") or "")
        ctx = self.client.context_for(account, tenant_id=reply.tenant_id,
                                      contact_id=reply.contact_id, recipient=recipient)  # fmt: skip
        requests = stored_requests(self.platform, recipient, reply.payload)
        if not requests:
            return await record_outcome(database_url, reply, None, "nothing to send")
        result = await self._send_all(ctx, requests)
        if result.ok:
            message_id = self.platform.message_id(ctx, result)
            return await record_outcome(database_url, reply, message_id, None)
        error = result.error or "send failed"
        logger.error("%s reply to %s failed after %d attempt(s): %s", self.channel, recipient,
                     result.attempts, error)  # fmt: skip
        return await record_outcome(database_url, reply, None, error)

    async def _send_all(self, ctx: SendContext, requests: list[dict[str, Any]]) -> ApiResult:
        """Send the parts in order, stopping at the first failure; the last result."""
        result: ApiResult | None = None
        for request in requests:
            result = await self.platform.send(ctx, request)
            if not result.ok:
                break
        assert result is not None
        return result
