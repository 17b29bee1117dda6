"""Storing what one authenticated POST delivered, item by item (the webhook's last step).

Each message is routed to its account and stored through the group commit; each receipt
updates its outbound row. One item cannot fail the others: an item the database refuses
(DataError, IntegrityError) or that fails for any reason but the database being unreachable is
logged at ERROR with its platform id, not stored, and the rest of the batch is stored; the POST
is still answered 200, because storing it again would fail the same way on every redelivery
(Meta redelivers for 7 days). Only an unreachable database answers 503: the platform delivers
again later, and what was stored by then is a duplicate.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sanic import response
from sanic.response import HTTPResponse

from booking_core.errors import UnknownTenantError
from booking_core.messaging.store import DATABASE_ERRORS, apply_status, database_unavailable
from connectors.accounts import Account
from connectors.inbound import ParsedBatch

if TYPE_CHECKING:
    from connectors.receiving import Receiver

logger = logging.getLogger(__name__)

__all__ = ["DATABASE_ERRORS", "accept", "database_unavailable"]


async def accept(channel: Receiver, batch: ParsedBatch, accounts: list[Account]) -> HTTPResponse:
    """Store the batch's messages and apply its receipts; 200, or 503 (see the module)."""
    name = channel.channel
    try:
        for inbound in batch.messages:
            ident = inbound.platform_message_id
            account = channel.route(inbound, accounts)
            if account is None:
                logger.warning("%s message %s for unknown account %s dropped", name, ident,
                               inbound.account_id)  # fmt: skip
                continue
            inbound = channel.keyed_for(account, inbound)  # e.g. Telegram: per bot
            try:
                job = await channel.writer.persist(account, inbound)
            except UnknownTenantError as exc:
                logger.warning("%s message dropped: %s", name, exc)
                continue
            except Exception as exc:
                if database_unavailable(exc):
                    raise
                logger.error("%s message %s not stored (the rest of its batch is): %s", name,
                             ident, exc, exc_info=exc)  # fmt: skip
                continue
            if job is None:
                logger.info("%s message %s is a redelivery; not processed again", name, ident)
                continue
            channel.on_stored()
        for update in batch.statuses:
            account = next((a for a in accounts if a.account_id == update.account_id), None)
            if account is None:
                continue
            try:
                await asyncio.to_thread(apply_status, channel.database_url, account, update)
            except Exception as exc:
                if database_unavailable(exc):
                    raise
                logger.error("%s receipt for %s not applied: %s", name,
                             update.platform_message_id, exc, exc_info=exc)  # fmt: skip
    except DATABASE_ERRORS:
        # Whatever was stored is handled; the redelivery skips it as a duplicate.
        logger.exception("%s webhook: database unavailable", name)
        return response.text("database unavailable", status=503)
    return response.text("ok")
