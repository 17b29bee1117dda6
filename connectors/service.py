"""One platform channel in one process, Rasa-free: receiving, handling, sending, as its role says.

Acknowledging, handling and sending are separate, each durable in the database:
- the POST only stores (connectors.receiving, here or in the ingest process);
- the inbox (connectors.inbox + connectors.handling, in each Rasa process) claims stored
  messages, one at a time per conversation, hands them to the assistant and, in one
  transaction, marks them done and queues the replies;
- the outbox sender (connectors.sending) claims queued replies, one at a time per contact, and
  sends them: in each Rasa process (OUTBOX_SENDER=rasa, the default) or only in the ingest
  process (OUTBOX_SENDER=ingest), so a Rasa process dying never interrupts a send.

A process asks for a `Role`; the service derives what it runs from it and the settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from booking_core.db.first_use import ensure_schema
from booking_core.db.session import get_engine
from booking_core.errors import UnknownTenantError
from booking_core.messaging.inbox import INBOX_NOTIFY_CHANNEL, release_claims
from booking_core.messaging.outbox import OUTBOX_NOTIFY_CHANNEL
from booking_core.messaging.records import ClaimedJob, QueuedReply
from booking_core.messaging.store import InboundWriter, warm_tenant
from booking_core.retry_policy import PLATFORM_RETRY, RetryPolicy
from connectors.accept import DATABASE_ERRORS
from connectors.accounts import Account, AccountDirectory
from connectors.context import PlatformClient, Sleep
from connectors.handling import Handler, Respond
from connectors.inbox import Inbox, InboxSettings, NotifyListener
from connectors.limits import cap_request_size
from connectors.platform import Platform
from connectors.receiving import Receiver
from connectors.sending import Sender

logger = logging.getLogger(__name__)


class Role(enum.Enum):
    """What a process does with a channel."""

    #: A Rasa process: receive, handle, and send unless OUTBOX_SENDER=ingest.
    ALL = "all"
    #: The ingest process: receive and store; send only when OUTBOX_SENDER=ingest.
    INGEST = "ingest"


async def _no_assistant(*args: Any) -> list[Any]:
    raise RuntimeError("this process does not handle messages")


class ChannelService:
    """One platform's webhook, inbox and outbox sender in this process (see the module)."""

    def __init__(
        self,
        platform: Platform,
        account: Account | None = None,
        *,
        role: Role = Role.ALL,
        respond: Respond = _no_assistant,
        api_url: str | None = None,
        database_url: str | None = None,
        policy: RetryPolicy | None = None,
        settings: InboxSettings | None = None,
        directory: AccountDirectory | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.platform = platform
        self.channel = platform.channel
        self.role = role
        self.database_url = database_url
        self.settings = settings or InboxSettings.from_env()
        #: A claim older than this belongs to a dead process (tests shorten it).
        self.lease: timedelta = self.settings.lease
        polling = self.settings.poll_seconds > 0
        #: Whether this process handles stored messages (Rasa processes only).
        self.consume = role is Role.ALL and polling
        #: Whether this process sends queued replies (see InboxSettings.sender).
        sender = "rasa" if role is Role.ALL else "ingest"
        self.send_replies = polling and self.settings.sender == sender
        self.directory = directory or AccountDirectory(
            self.channel, account, database_url=database_url
        )
        url = api_url or os.environ.get(platform.api_url_env) or platform.default_api_url
        self.client = PlatformClient(self.channel, self.directory, api_url=url,
                                     database_url=database_url, policy=policy or PLATFORM_RETRY,
                                     sleep=sleep)  # fmt: skip
        #: Stores deliveries; concurrent POSTs share a transaction (group commit).
        self.writer = InboundWriter(database_url)
        self.receiver = Receiver(platform, self.directory, self.writer, database_url=database_url,
                                 on_stored=self._stored)  # fmt: skip
        self.handler = Handler(platform, self.client, respond, lease=lambda: self.lease,
                               on_replies=self._replies_queued)  # fmt: skip
        self.sender = Sender(platform, self.client, lease=lambda: self.lease)
        self.inbox: Inbox[ClaimedJob] = Inbox(
            self.handler.claim,
            self.handler.handle,
            ident=lambda claimed: claimed.job.message_id,
            concurrency=self.settings.concurrency,
            poll_seconds=self.settings.poll_seconds,
        )
        self.outbox: Inbox[QueuedReply] = Inbox(
            self.sender.claim,
            self.sender.send,
            ident=lambda reply: reply.row_id,
            concurrency=max(self.settings.concurrency, 16),
            poll_seconds=self.settings.poll_seconds or 1.0,
        )
        self._listeners: list[NotifyListener] = []

    @property
    def api_url(self) -> str:
        """Where the platform's API is."""
        return self.client.api_url

    @property
    def policy(self) -> RetryPolicy:
        """The platform calls' retry policy."""
        return self.client.policy

    def url_prefix(self) -> str:
        """Absolute, so Rasa's urljoin('/webhooks/', prefix) serves exactly /<name>_webhook."""
        return f"/{self.channel}_webhook"

    def _stored(self) -> None:
        if self.consume:
            self.inbox.wake()

    def _replies_queued(self) -> None:
        if self.send_replies:
            self.outbox.wake()

    def blueprint(self, on_start: Callable[[Any], None] | None = None) -> Blueprint:
        """GET and POST on the prefix, plus the start and stop listeners (`on_start` gets
        the app once it runs)."""
        bp = Blueprint(f"{self.channel}_webhook", url_prefix=self.url_prefix())

        # Sanic tags handlers with attributes, which bound methods refuse: wrap them.
        async def verify(request: Request) -> HTTPResponse:
            return await self.receiver.verify(request)

        async def receive(request: Request) -> HTTPResponse:
            return await self.receiver.receive(request)

        async def before_start(app: Any, loop: Any) -> None:
            cap_request_size(app)

        async def after_start(app: Any, loop: Any) -> None:
            if on_start is not None:
                on_start(app)
            if self.role is Role.ALL:
                # A Rasa process of a fresh clone (plain `rasa run`): SQLite has no tables yet.
                await asyncio.to_thread(ensure_schema, self.database_url)
            await asyncio.to_thread(self.warm)
            self.start()

        async def before_stop(app: Any, loop: Any) -> None:
            await self.shutdown()

        bp.add_route(verify, "", methods=["GET"], name="verify")
        bp.add_route(receive, "", methods=["POST"], name="receive")
        bp.listener("before_server_start")(before_start)
        bp.listener("after_server_start")(after_start)
        bp.listener("before_server_stop")(before_stop)
        return bp

    def warm(self, connections: int = 4) -> None:
        """Open database connections and fill the account and tenant caches before the first
        delivery: a burst right after a (re)start must not wait for connection set-up
        (PostgreSQL starts a backend per connection). Never fails the start-up."""
        try:
            engine = get_engine(self.database_url)
            with contextlib.ExitStack() as opened:
                for _ in range(connections):
                    opened.enter_context(engine.connect())
            accounts = self.directory.all_accounts()
            if accounts:
                warm_tenant(self.database_url, accounts[0])
        except (*DATABASE_ERRORS, UnknownTenantError):
            logger.warning("%s: could not warm up at start-up", self.channel, exc_info=True)

    def start(self) -> None:
        """Start the inbox (it first takes what earlier runs stored but never handled) and the
        outbox sender, as the role says; on PostgreSQL, listen for work from other processes."""
        engine = get_engine(self.database_url)
        loop = asyncio.get_running_loop()
        for wanted, inbox, name in (
            (self.consume, self.inbox, INBOX_NOTIFY_CHANNEL),
            (self.send_replies, self.outbox, OUTBOX_NOTIFY_CHANNEL),
        ):
            if not wanted:
                continue
            inbox.start()
            if engine.dialect.name == "postgresql":
                listener = NotifyListener(engine, name, self.channel, _waker(loop, inbox))
                listener.start()
                self._listeners.append(listener)

    async def settle(self) -> None:
        """Wait until nothing stored is left to handle or send here (tests, benchmarks)."""
        while self.inbox.busy or self.outbox.busy:
            await self.inbox.drain()
            await self.outbox.drain()

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Stop claiming, finish running work (bounded), release what could not finish (another
        process takes it at once, not after the lease), then close the HTTP client."""
        for listener in self._listeners:
            listener.stop()
        self._listeners.clear()
        await self.inbox.stop(timeout)
        await self.outbox.stop(timeout)
        if self.consume or self.send_replies:
            try:
                released = await asyncio.to_thread(release_claims, self.database_url,
                                                   self.channel)  # fmt: skip
            except Exception:  # the database is away (any driver's error): never fail a stop
                logger.warning("%s: could not release claims; they wait for the lease",
                               self.channel, exc_info=True)  # fmt: skip
            else:
                if released:
                    logger.info("%s: released %d unfinished claim(s)", self.channel, released)
        await self.client.close()


def _waker(loop: asyncio.AbstractEventLoop, inbox: Inbox[Any]) -> Callable[[], None]:
    """A callback for the listener thread that wakes `inbox` in its event loop."""

    def wake() -> None:
        loop.call_soon_threadsafe(inbox.wake)

    return wake
