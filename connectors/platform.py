"""What the shared channel code needs from a messaging platform, in one small interface.

WhatsApp, Telegram and Instagram each implement `Platform` (connectors/<platform>/platform.py)
from their pure parse/format/api modules; the shared code (connectors.receiving, .handling,
.sending, .service, and the Rasa adapter connectors.webhook) calls them and never the other way
round, so a platform module imports neither Rasa nor the shared pipeline. Sanic-free too: a
delivery is anything with `headers` and `body` (a Sanic request is one), and a refusal is a
status and a text that the receiving side turns into its framework's response.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Protocol

from connectors.accounts import Account, AccountDirectory
from connectors.channel_settings import channel_settings, left_off_line
from connectors.context import SendContext
from connectors.inbound import InboundMessage, ParsedBatch, ParseError
from connectors.outgoing import Outgoing
from connectors.retry import ApiResult

logger = logging.getLogger(__name__)


class Delivery(Protocol):
    """The parts of a webhook request a platform looks at (a Sanic Request has them)."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def body(self) -> bytes: ...


@dataclass(frozen=True)
class Refusal:
    """A webhook request answered without storing anything: 400, 401, 403 and why."""

    status: int
    text: str


#: What an admitted delivery carries: its items and the accounts they may be stored for.
Admitted = tuple[ParsedBatch, list[Account]]


class Platform(ABC):
    """One messaging platform: how its webhooks are read and how it is spoken to."""

    #: The channel name stored with every message ("whatsapp", ...).
    channel: ClassVar[str] = ""
    default_api_url: ClassVar[str] = ""
    #: The environment variable that points the API elsewhere (stand-ins, proxies).
    api_url_env: ClassVar[str] = ""
    #: GET on the webhook echoes `?challenge=` (a reachability check) instead of Meta's
    #: hub.verify_token handshake.
    echo_challenge: ClassVar[bool] = False
    #: How long after the customer's last message a free-form message is allowed (None: always).
    reply_window: ClassVar[timedelta | None] = None
    #: The default tenant's account settings and the environment variable each is read from
    #: when its credentials.yml section does not write it (connectors.channel_settings).
    credential_variables: ClassVar[Mapping[str, str]] = {}

    # --- receiving --------------------------------------------------------------------------

    @abstractmethod
    def account_from_credentials(self, credentials: Mapping[str, Any]) -> Account | None:
        """The default tenant's account from complete settings, if configured."""

    def default_account(
        self, credentials: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
    ) -> Account | None:
        """The default tenant's account from its credentials.yml section and the environment;
        None, with one log line naming what to set, when a setting is missing: a developer
        without the platform's variables still gets a running server (the webhook serves the
        accounts stored in the database)."""
        settings = channel_settings(credentials, self.credential_variables, environ)
        if not settings.complete:
            logger.info(left_off_line(self.channel, settings.missing, f"/{self.channel}_webhook"))
            return None
        return self.account_from_credentials(settings.values)

    @abstractmethod
    def parse(self, body: bytes) -> ParsedBatch:
        """Turn the raw body into messages and receipts, or raise ParseError."""

    @abstractmethod
    async def authenticate(
        self, delivery: Delivery, directory: AccountDirectory
    ) -> Admitted | Refusal:
        """The batch and the accounts the request may speak for, or the refusal (401/403, and
        400 for a body that does not parse). Database errors propagate (the caller answers 503)."""

    def parsed(self, body: bytes, accounts: list[Account]) -> Admitted | Refusal:
        """`parse` for authenticated accounts, a 400 when the body is not shaped right."""
        try:
            return self.parse(body), accounts
        except ParseError as exc:
            return Refusal(400, f"bad request: {exc}")

    def route(self, inbound: InboundMessage, accounts: list[Account]) -> Account | None:
        """The account an item belongs to (by its account id), or None."""
        for account in accounts:
            if account.account_id == inbound.account_id:
                return account
        return None

    def keyed_for(self, account: Account, inbound: InboundMessage) -> InboundMessage:
        """The message as stored for `account`: its platform id must be unique per tenant and
        channel (the de-duplication key); most platforms' ids already are."""
        return inbound

    def skip_reason(self, inbound: InboundMessage) -> str | None:
        """Why a stored message must not be answered (e.g. outside the reply window), or None."""
        return None

    # --- answering --------------------------------------------------------------------------

    @abstractmethod
    async def acknowledge(self, ctx: SendContext, inbound: InboundMessage) -> None:
        """Best-effort signs of life before the answer: mark read, typing, button spinner."""

    @abstractmethod
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
        """The platform requests that deliver one bot message (stored, sent later)."""

    @abstractmethod
    async def send(self, ctx: SendContext, payload: Mapping[str, Any]) -> ApiResult:
        """Send one stored request (its "request", and "method" where there are several)."""

    @abstractmethod
    def message_id(self, ctx: SendContext, result: ApiResult) -> str | None:
        """The platform's id of a sent message."""

    def notice(self, recipient: str, text: str) -> dict[str, Any]:
        """The stored-payload form of a short plain-text message queued outside a conversation
        turn (one part: notices are short)."""
        return stored_form(self.format(recipient, text=text)[0])


def stored_form(part: Outgoing) -> dict[str, Any]:
    """The "request" (and "method") keys an outbound row stores for one part."""
    payload: dict[str, Any] = {"request": part.body}
    if part.method:
        payload["method"] = part.method
    return payload


def optional(value: Any) -> str | None:
    """A credentials value as a string, None when absent or empty (an unset ${VAR})."""
    return str(value) if value not in (None, "") else None
