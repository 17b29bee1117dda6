"""Admission shared by the Meta platforms (WhatsApp, Instagram): X-Hub-Signature-256, checked
only with the app secrets of the accounts the body names.

The cost is one HMAC of the body per distinct app secret among the configured accounts the
envelope names (WhatsApp: entry[].changes[].value.metadata.phone_number_id, Instagram:
entry[].id), however many accounts are stored; it used to be one per stored secret, on the event
loop (205 secrets: 0.35 s per 3 MB body). A real delivery is signed by one app, so a body naming
accounts of more than MAX_SIGNING_APPS apps is refused without hashing. Answers, in order:

- no X-Hub-Signature-256: 401; one that is not `sha256=<64 hex digits>`: 403;
- body not JSON, or not a JSON object: 400, before any secret is tried (the envelope is needed
  to know which secret to try);
- configured accounts named: the signature must be valid under one of their secrets, else 403;
  only the accounts whose secret verified may receive the batch's items (one app cannot post
  into another tenant's account);
- no configured account named (an account served elsewhere, a body naming none): there is no
  secret to check it with and nothing in it can be stored, so it is answered like an unknown
  account, 200, stored nowhere (the platform stops redelivering);
- then the batch is parsed: 400 when it is not shaped as the platform documents.

Database errors propagate (the caller answers 503).

`MetaPlatform` is the base of both Meta platforms: this admission, and the one definition of
Meta's reply window (free-form messages only within 24 hours of the customer's last one).
"""

from __future__ import annotations

import asyncio
import logging
from abc import abstractmethod
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from booking_core.db.types import utcnow
from booking_core.messaging.windows import META_CUSTOMER_SERVICE_WINDOW, within
from connectors.accounts import Account, AccountDirectory
from connectors.inbound import InboundMessage, ParsedBatch, ParseError
from connectors.platform import Admitted, Delivery, Platform, Refusal
from connectors.signatures import matching_secrets, well_formed_signature
from connectors.whatsapp.parse import load_json

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Hub-Signature-256"
#: Distinct app secrets one body may make us try (one app signs a delivery; a few allow for
#: the accounts of one tenant being spread over apps).
MAX_SIGNING_APPS = 3
#: Bytes to hash (body size times secrets) from which the hashing runs in a worker thread:
#: hashlib releases the GIL, so the event loop goes on answering meanwhile (a 3 MB body takes
#: about 2 ms per secret); below it, the thread hand-off would cost more than the hashing.
THREAD_HASHING_BYTES = 256 * 1024

Decoded = dict[str, Any]
#: Meta (WhatsApp, Instagram) accepts free-form messages only this long after the customer's
#: last message (booking_core.messaging.windows holds the one definition).
META_REPLY_WINDOW = META_CUSTOMER_SERVICE_WINDOW
OUTSIDE_WINDOW = "older than the 24-hour reply window; not answered"


async def admit_meta(
    request: Delivery,
    directory: AccountDirectory,
    batch_of: Callable[[Decoded], ParsedBatch],
    account_ids: Callable[[Decoded], frozenset[str]],
) -> Admitted | Refusal:
    """The batch and the accounts whose app signed it, or the refusal (see the module)."""
    channel = directory.channel
    header = request.headers.get(SIGNATURE_HEADER)
    if not header:
        logger.warning("%s webhook without %s refused", channel, SIGNATURE_HEADER)
        return Refusal(401, "missing signature")
    if not well_formed_signature(header):
        logger.warning("%s webhook with a malformed signature refused", channel)
        return Refusal(403, "bad signature")
    body = request.body or b""
    try:
        data = load_json(body)
    except ParseError as exc:
        return Refusal(400, f"bad request: {exc}")
    named = account_ids(data)
    accounts = await _named_accounts(directory, named) if named else []
    if accounts:
        secrets = {a.app_secret for a in accounts if a.app_secret}
        if len(secrets) > MAX_SIGNING_APPS:
            logger.warning("%s webhook naming accounts of %d apps refused", channel, len(secrets))
            return Refusal(403, "bad signature")
        valid = await _matching(body, header, secrets)
        if not valid:
            logger.warning("%s webhook with a bad signature refused", channel)
            return Refusal(403, "bad signature")
        accounts = [a for a in accounts if a.app_secret in valid]
    try:
        return batch_of(data), accounts
    except ParseError as exc:
        return Refusal(400, f"bad request: {exc}")


def within_window(
    sent_at: datetime | None, window: timedelta = META_REPLY_WINDOW, now: datetime | None = None
) -> bool:
    """Whether a message sent at `sent_at` may still be answered (unknown counts as recent)."""
    return sent_at is None or within(window, sent_at, now or utcnow())


class MetaPlatform(Platform):
    """WhatsApp and Instagram: signed by the app (X-Hub-Signature-256), hub.verify_token
    handshake, 24-hour reply window."""

    reply_window: ClassVar[timedelta | None] = META_REPLY_WINDOW

    @abstractmethod
    def batch_of(self, data: Decoded) -> ParsedBatch:
        """The batch of a decoded body (ParseError when not shaped as documented)."""

    @abstractmethod
    def account_ids(self, data: Decoded) -> frozenset[str]:
        """The accounts a decoded body names (whose app secrets may have signed it)."""

    def parse(self, body: bytes) -> ParsedBatch:
        """Decode, then `batch_of`."""
        return self.batch_of(load_json(body))

    async def authenticate(
        self, delivery: Delivery, directory: AccountDirectory
    ) -> Admitted | Refusal:
        """X-Hub-Signature-256 with the app secrets of the accounts the body names."""
        return await admit_meta(delivery, directory, self.batch_of, self.account_ids)

    def skip_reason(self, inbound: InboundMessage) -> str | None:
        """Messages older than the reply window cannot be answered (and may be replays)."""
        return None if within_window(inbound.sent_at) else OUTSIDE_WINDOW


async def _named_accounts(directory: AccountDirectory, named: frozenset[str]) -> list[Account]:
    """The configured accounts among `named` (the environment's first, as everywhere)."""
    every = await asyncio.to_thread(directory.all_accounts)
    return [account for account in every if account.account_id in named]


async def _matching(body: bytes, header: str, secrets: set[str]) -> set[str]:
    """`matching_secrets`, in a worker thread when there is much to hash."""
    if len(body) * len(secrets) >= THREAD_HASHING_BYTES:
        return await asyncio.to_thread(matching_secrets, body, header, secrets)
    return matching_secrets(body, header, secrets)
