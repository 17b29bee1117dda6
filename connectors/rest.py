"""The REST channel, without the trust Rasa's own gives the client.

Rasa's `rest` channel takes the conversation id, the input channel and the metadata from the
request body, so a client could write into another tenant's WhatsApp conversation (sender
`<B>:whatsapp:<phone>`) or book into tenant B's calendar (`"metadata": {"tenant": "<B>"}`).
This one serves the same path (`POST /webhooks/rest/webhook`, same request and answer shapes)
but:
- the tenant comes from configuration (credentials `tenant`, else the default tenant), never
  from the body; the body's `metadata` and `input_channel` are ignored;
- sender ids live in their own namespace, `<tenant>:rest:<sender>`: no platform channel's
  conversation (`<tenant>:<platform>:<user>`) can be named from here;
- with a token (credentials `token`, else REST_CHANNEL_TOKEN) every request needs
  `Authorization: Bearer <token>` (401 without, 403 wrong); production enables the channel
  only with one (scripts/enabled_credentials.py). Without one it answers callers on this
  machine only (the socket's peer is loopback; 403 otherwise, and one log line at start says
  so), so plain `rasa run`, which listens on 0.0.0.0, is not open to the network;
- text over MAX_TEXT_CHARS is answered politely without reaching NLU; bodies are capped by the
  server (connectors.limits); a body that is not the documented JSON object answers 400.
`?stream=true` (Rasa's streaming variant) is not offered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from booking_core.settings import get_settings
from connectors.channel_settings import REST_TOKEN_VARIABLE, REST_VARIABLES, channel_settings
from connectors.limits import TOO_LONG_REPLY, cap_request_size, too_long
from connectors.signatures import caller_refusal
from connectors.storable import storable_text

logger = logging.getLogger(__name__)

CHANNEL = "rest"
#: Sender ids: letters, digits and `. _ ~ - @ + = :`, at most 128 (the tracker store's column
#: holds 255). Rasa's HTTP API reads conversation ids from the URL undecoded, so an id with
#: other characters could not be addressed there (e.g. to erase it).
MAX_SENDER_CHARS = 128
_SENDER = re.compile(r"[A-Za-z0-9._~@+=:-]+")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class BadRequestError(ValueError):
    """The body is not `{"sender": "<id>", "message": "<text>"}`; answered with 400."""


def rest_sender_id(tenant: str, sender: str) -> str:
    """Rasa's conversation id of a REST user of `tenant`."""
    return f"{tenant}:{CHANNEL}:{sender}"


def read_request(body: Any) -> tuple[str, str]:
    """(sender, text) of a request body, cleaned; BadRequestError when it is not usable."""
    if not isinstance(body, dict):
        raise BadRequestError("body must be a JSON object")
    sender, text = body.get("sender"), body.get("message")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequestError("sender must be a non-empty string")
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequestError(f"sender is longer than {MAX_SENDER_CHARS} characters")
    if not _SENDER.fullmatch(sender):
        raise BadRequestError("sender may hold only letters, digits and . _ ~ - @ + = :")
    if not isinstance(text, str):
        raise BadRequestError("message must be a string")
    return sender, storable_text(text)


class RestInput(InputChannel):
    """REST channel for one tenant (see the module docstring); credentials `token`, `tenant`."""

    def __init__(self, token: str | None = None, tenant: str | None = None) -> None:
        self.token = token or None
        self._tenant = tenant or None

    @classmethod
    def name(cls) -> str:
        """Rasa's name of the channel: the URL is /webhooks/rest/webhook."""
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        """`token` (else REST_CHANNEL_TOKEN; optional, required in production) and `tenant` (a
        tenant slug, optional)."""
        values = channel_settings(credentials, REST_VARIABLES).values
        return cls(token=values.get("token"), tenant=values.get("tenant"))

    @property
    def tenant(self) -> str:
        """The tenant whose customers this channel serves."""
        return self._tenant or get_settings().default_tenant_slug

    def authenticate(self, request: Request) -> HTTPResponse | None:
        """None when the request may speak here, else the 401/403 answer (see the module)."""
        refused = caller_refusal(request.headers.get("Authorization"), request.ip, self.token,
                                 REST_TOKEN_VARIABLE)  # fmt: skip
        if refused is None:
            return None
        status, reason = refused
        return response.json({"error": reason}, status=status)

    async def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """Authenticate, read, cap, hand to Rasa; the answer is what the bot said."""
        refused = self.authenticate(request)
        if refused is not None:
            return refused
        try:
            sender, text = read_request(request.json)
        except BadRequestError as exc:
            return response.json({"error": str(exc)}, status=400)
        except Exception:  # Sanic's InvalidUsage for a body that is not JSON
            return response.json({"error": "body is not valid JSON"}, status=400)
        conversation = rest_sender_id(self.tenant, sender)
        if too_long(text):
            logger.info("REST message of %d characters refused before NLU", len(text))
            return response.json([{"recipient_id": conversation, "text": TOO_LONG_REPLY}])
        collector = CollectingOutputChannel()
        message = UserMessage(
            text,
            collector,
            conversation,
            input_channel=CHANNEL,
            metadata={"tenant": self.tenant, "channel": CHANNEL, "platform_user_id": sender},
        )
        try:
            await on_new_message(message)
        except Exception:  # as Rasa's channel: the client gets what was said so far
            logger.exception("REST message of %s failed", conversation)
        return response.json(collector.messages)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """GET / (health) and POST /webhook under /webhooks/rest, plus the body cap."""
        bp = Blueprint("booking_rest", url_prefix=None)

        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        async def before_start(app: Any, loop: Any) -> None:
            cap_request_size(app)
            if self.token is None:
                logger.info("REST channel: %s is not set, so it answers callers on this "
                            "machine (loopback) only", REST_TOKEN_VARIABLE)  # fmt: skip

        bp.add_route(health, "/", methods=["GET"], name="health")
        bp.add_route(receive, "/webhook", methods=["POST"], name="receive")
        bp.listener("before_server_start")(before_start)
        return bp
