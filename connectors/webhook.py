"""The Rasa adapter of the platform channels: a Rasa `InputChannel` holding a `Platform`.

Everything else is Rasa-free and lives where its job is: connectors.receiving (the webhook's
POST and GET), connectors.handling (a claimed message), connectors.sending (the outbox sender),
connectors.service (the three together, by role), connectors.<platform>.platform (the
platforms). This module only mounts the service on Rasa's app, turns a claimed message into
Rasa's `UserMessage` (the injected `respond` of the handler) and gives Rasa an output channel
for `POST /conversations/{id}/trigger_intent?output_channel=<platform>` (connectors.outbound).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from booking_core.messaging.records import ClaimedJob, Job, QueuedReply
from booking_core.messaging.store import InboundWriter
from booking_core.retry_policy import RetryPolicy
from connectors.accounts import Account, AccountDirectory
from connectors.context import SendContext, Sleep
from connectors.handling import (
    EXPIRED_BUTTON_REPLY,
    TEXT_ONLY_REPLY,
    message_metadata,
    resolve_text,
    sender_id,
)
from connectors.inbox import Inbox, InboxSettings
from connectors.outbound import PlatformOutput, QueuedOutput
from connectors.outgoing import Outgoing
from connectors.platform import Platform
from connectors.service import ChannelService, Role
from connectors.takeover import handle_taken_over

__all__ = [
    "EXPIRED_BUTTON_REPLY",
    "TEXT_ONLY_REPLY",
    "OnNewMessage",
    "Role",
    "WebhookInput",
    "message_metadata",
    "resolve_text",
    "sender_id",
]

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WebhookInput(InputChannel):
    """Base of the platform input channels; a subclass names its platform and output class."""

    platform_class: ClassVar[type[Platform]]
    output_class: ClassVar[type[PlatformOutput]] = PlatformOutput

    def __init__(
        self,
        account: Account | None,
        *,
        api_url: str | None = None,
        database_url: str | None = None,
        policy: RetryPolicy | None = None,
        inbox: InboxSettings | None = None,
        role: Role = Role.ALL,
        directory: AccountDirectory | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.platform = self.platform_class()
        self.service = ChannelService(self.platform, account, role=role, respond=self._respond,
                                      api_url=api_url, database_url=database_url, policy=policy,
                                      settings=inbox, directory=directory, sleep=sleep)  # fmt: skip
        self._on_new_message: OnNewMessage | None = None
        #: The Sanic app once started (a Rasa server's holds the agent and its tracker store).
        self._app: Any = None

    # --- Rasa's InputChannel interface -------------------------------------------------------

    @classmethod
    def name(cls) -> str:
        """The channel name Rasa stores as the input channel ("whatsapp", ...)."""
        return cls.platform_class.channel

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebhookInput:
        """The default tenant's account from its credentials.yml section and the environment
        (`Platform.default_account`); without it, left off with one log line, the accounts
        stored in the database are still served."""
        return cls(cls.platform_class().default_account(credentials))

    def url_prefix(self) -> str:
        """Absolute, so Rasa's urljoin('/webhooks/', prefix) serves exactly /<name>_webhook."""
        return self.service.url_prefix()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """GET and POST on the prefix, plus the inbox's start and stop listeners."""
        self._on_new_message = on_new_message
        return self.service.blueprint(on_start=self._started)

    def _started(self, app: Any) -> None:
        self._app = app

    async def verify(self, request: Request) -> HTTPResponse:
        """The GET handshake (connectors.receiving)."""
        return await self.service.receiver.verify(request)

    async def receive(self, request: Request) -> HTTPResponse:
        """The POST pipeline (connectors.receiving)."""
        return await self.service.receiver.receive(request)

    def get_output_channel(self) -> OutputChannel | None:
        """For Rasa's trigger_intent: queues the bot's messages through the public send API."""
        return QueuedOutput(self.name(), self.service.database_url)

    # --- the assistant, as the handler's `respond` -------------------------------------------

    async def _respond(
        self, job: Job, ctx: SendContext, text: str, taken_over: bool
    ) -> list[Outgoing]:
        """Hand the message to Rasa with an output channel that collects its answer."""
        assert self._on_new_message is not None, "the channel's blueprint was never mounted"
        on_new_message = self._on_new_message
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        if taken_over and agent is not None:
            # Taken over from a process that died: Rasa may have answered it already.
            on_new_message = functools.partial(handle_taken_over, agent.tracker_store,
                                               on_new_message)  # fmt: skip
        output = self.output_class(ctx, self.platform)
        inbound = job.inbound
        await on_new_message(
            UserMessage(
                text,
                output,
                sender_id(job),
                input_channel=inbound.channel,
                message_id=inbound.platform_message_id,
                metadata=message_metadata(job),
            )
        )
        return output.queued

    # --- the service's parts, for tests and benchmarks ---------------------------------------

    @property
    def directory(self) -> AccountDirectory:
        """The channel's accounts."""
        return self.service.directory

    @property
    def writer(self) -> InboundWriter:
        """The group-commit writer of deliveries."""
        return self.service.writer

    @property
    def inbox(self) -> Inbox[ClaimedJob]:
        """The inbound queue's consumer."""
        return self.service.inbox

    @property
    def outbox(self) -> Inbox[QueuedReply]:
        """The outbox sender."""
        return self.service.outbox

    @property
    def database_url(self) -> str | None:
        """The database (None: DATABASE_URL)."""
        return self.service.database_url

    @property
    def api_url(self) -> str:
        """Where the platform's API is (credentials, <PLATFORM>_API_URL, or the default)."""
        return self.service.api_url

    @property
    def policy(self) -> RetryPolicy:
        """The platform calls' retry policy."""
        return self.service.policy

    @property
    def lease(self) -> timedelta:
        """How old a claim must be to be taken over."""
        return self.service.lease

    @lease.setter
    def lease(self, value: timedelta) -> None:
        self.service.lease = value

    @property
    def consume(self) -> bool:
        """Whether this process handles stored messages."""
        return self.service.consume

    @consume.setter
    def consume(self, value: bool) -> None:
        self.service.consume = value

    @property
    def send_replies(self) -> bool:
        """Whether this process sends queued replies."""
        return self.service.send_replies

    @send_replies.setter
    def send_replies(self, value: bool) -> None:
        self.service.send_replies = value

    async def settle(self) -> None:
        """Wait until nothing stored is left to handle or send here."""
        await self.service.settle()

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Stop the inbox and the sender, close the HTTP client."""
        await self.service.shutdown(timeout)
