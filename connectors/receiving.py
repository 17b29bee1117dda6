"""A platform webhook's two doors, for any Sanic app (Rasa's, or the ingest process's without Rasa).

POST: size limit (413) -> authenticate and parse (the platform: 401/403, 400; nothing stored)
-> route each item to its tenant's account (unknown: logged, skipped, still 200) -> store it
with the atomic de-duplicating insert (a duplicate is not processed again) -> apply delivery
receipts -> 200 (connectors.accept; an item that cannot be stored fails alone). A database
outage answers 503 so the platform delivers again. An answer slower than SLOW_ACK_SECONDS is
logged (platforms time out after a few seconds).

GET: Meta's hub.verify_token handshake (the environment's token, then the stored accounts';
403 otherwise), or for platforms that ask for it an echo of `?challenge=`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from booking_core.messaging.store import InboundWriter
from connectors.accept import DATABASE_ERRORS, accept
from connectors.accounts import Account, AccountDirectory
from connectors.inbound import InboundMessage
from connectors.limits import MAX_BODY_BYTES
from connectors.platform import Platform, Refusal
from connectors.signatures import hub_challenge

logger = logging.getLogger(__name__)

#: An acknowledgement slower than this is logged.
SLOW_ACK_SECONDS = 0.25


class Receiver:
    """Verifies, stores and acknowledges one platform's webhook deliveries."""

    def __init__(
        self,
        platform: Platform,
        directory: AccountDirectory,
        writer: InboundWriter,
        *,
        database_url: str | None,
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        self.platform = platform
        self.channel = platform.channel
        self.directory = directory
        self.writer = writer
        self.database_url = database_url
        #: Called after a new message was stored (the local inbox looks at once).
        self.on_stored = on_stored

    def route(self, inbound: InboundMessage, accounts: list[Account]) -> Account | None:
        """The platform's routing (see Platform.route)."""
        return self.platform.route(inbound, accounts)

    def keyed_for(self, account: Account, inbound: InboundMessage) -> InboundMessage:
        """The platform's de-duplication key (see Platform.keyed_for)."""
        return self.platform.keyed_for(account, inbound)

    async def receive(self, request: Request) -> HTTPResponse:
        """The POST pipeline (see the module docstring)."""
        started = time.perf_counter()
        answer = await self._receive(request)
        spent = time.perf_counter() - started
        if spent > SLOW_ACK_SECONDS:
            logger.warning("%s webhook answered %d after %.0f ms", self.channel, answer.status,
                           spent * 1000)  # fmt: skip
        return answer

    async def _receive(self, request: Request) -> HTTPResponse:
        if len(request.body or b"") > MAX_BODY_BYTES:
            return response.text("payload too large", status=413)
        try:
            admitted = await self.platform.authenticate(request, self.directory)
        except DATABASE_ERRORS:
            logger.exception("%s webhook: database unavailable", self.channel)
            return response.text("database unavailable", status=503)
        if isinstance(admitted, Refusal):
            return response.text(admitted.text, status=admitted.status)
        return await accept(self, *admitted)

    async def verify(self, request: Request) -> HTTPResponse:
        """The GET handshake (see the module docstring)."""
        if self.platform.echo_challenge:
            return response.text(str(request.args.get("challenge") or "ok"))
        params = {key: str(request.args.get(key) or "") for key in request.args}
        env = self.directory.env_account
        challenge = hub_challenge(params, [env.verify_token] if env and env.verify_token else [])
        if challenge is None and params.get("hub.mode") == "subscribe":
            try:
                stored = await asyncio.to_thread(self.directory.stored_accounts)
            except DATABASE_ERRORS:
                logger.exception("%s verification: database unavailable", self.channel)
                return response.text("database unavailable", status=503)
            challenge = hub_challenge(params, [a.verify_token for a in stored if a.verify_token])
        if challenge is None:
            logger.warning("%s webhook verification refused", self.channel)
            return response.text("forbidden", status=403)
        return response.text(challenge)
