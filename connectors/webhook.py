"""The shared webhook pipeline of the platform input channels.

POST: size limit (413) -> authenticate (401/403, nothing stored) and parse (400; the Meta
channels decode the body first to learn whose signature to check, see connectors.meta) -> route
each item to its tenant's account (unknown: logged, skipped, still 200) -> store it with the
atomic de-duplicating insert (a duplicate is not processed again) -> apply delivery receipts ->
200 (connectors.accept; an item that cannot be stored fails alone). A database outage answers
503 so the platform delivers again.

Acknowledging, handling and sending are separate, each durable in the database:
- the POST only stores (here, or in the ingest process `python -m connectors.ingest`);
- the inbox (`connectors.inbox`, in each Rasa process) claims stored messages, one at a time per
  conversation, hands them to Rasa and, in one transaction, marks them done and queues the
  replies Rasa produced;
- the outbox sender (in each Rasa process, or only in the ingest process with
  OUTBOX_SENDER=ingest) claims queued replies, one at a time per conversation, and sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, ClassVar

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from booking_core.db.session import get_engine
from booking_core.db.types import utcnow
from booking_core.errors import UnknownTenantError
from booking_core.messaging.inbox import INBOX_NOTIFY_CHANNEL, claim_next, complete_inbound
from booking_core.messaging.outbox import (
    OUTBOX_NOTIFY_CHANNEL,
    UNKNOWN_SEND_OUTCOME,
    claim_next_outbound,
    finish_outbound,
    record_outcome,
)
from booking_core.messaging.records import ClaimedJob, Job, QueuedReply
from booking_core.messaging.store import InboundWriter, stored_buttons, warm_tenant
from connectors.accept import DATABASE_ERRORS, accept
from connectors.accounts import Account, AccountDirectory
from connectors.inbound import TO_RASA, InboundMessage, ParsedBatch, ParseError
from connectors.inbox import Inbox, InboxSettings, NotifyListener
from connectors.limits import MAX_BODY_BYTES, TOO_LONG_REPLY, cap_request_size, too_long
from connectors.outbound import PlatformOutput, SendContext
from connectors.retry import ApiResult, RetryPolicy, new_session
from connectors.signatures import hub_challenge
from connectors.takeover import handle_taken_over
from connectors.text import parse_button_reference

logger = logging.getLogger(__name__)

TEXT_ONLY_REPLY = "I can only read text for now. Please type your message."
EXPIRED_BUTTON_REPLY = "That button is no longer available. Please type your answer."
#: An acknowledgement slower than this is logged (platforms time out after a few seconds).
SLOW_ACK_SECONDS = 0.25

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def sender_id(job: Job) -> str:
    """Rasa's conversation id: namespaced so two tenants' (or channels') users never share one."""
    return f"{job.tenant.slug}:{job.inbound.channel}:{job.inbound.platform_user_id}"


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
    """The text for Rasa; a "#<n>" button reference becomes the payload it stood for."""
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


async def hand_to_rasa(
    job: Job, output: OutputChannel, on_new_message: OnNewMessage, text: str | None
) -> None:
    """Give the message to Rasa, or answer media and expired buttons directly."""
    inbound = job.inbound
    recipient = sender_id(job)
    if inbound.kind not in TO_RASA:
        await output.send_text_message(recipient, TEXT_ONLY_REPLY)
        return
    if not text:
        if inbound.kind == "button":
            await output.send_text_message(recipient, EXPIRED_BUTTON_REPLY)
        return
    if too_long(text):  # NLU on it would hold the event loop for seconds
        await output.send_text_message(recipient, TOO_LONG_REPLY)
        return
    await on_new_message(
        UserMessage(
            text,
            output,
            recipient,
            input_channel=inbound.channel,
            message_id=inbound.platform_message_id,
            metadata=message_metadata(job),
        )
    )


class WebhookInput(InputChannel):
    """Base of the platform input channels; subclasses supply parsing, auth and processing."""

    channel: ClassVar[str] = ""
    default_api_url: ClassVar[str] = ""
    api_url_env: ClassVar[str] = ""

    def __init__(
        self,
        account: Account | None,
        *,
        api_url: str | None = None,
        database_url: str | None = None,
        policy: RetryPolicy | None = None,
        inbox: InboxSettings | None = None,
        consume: bool = True,
        directory: AccountDirectory | None = None,
    ) -> None:
        self.api_url = (api_url or self.default_api_url).rstrip("/")
        self.database_url = database_url
        self.policy = policy or RetryPolicy()
        self.settings = inbox or InboxSettings.from_env()
        self.lease = self.settings.lease
        #: False in the ingest process: store and acknowledge only, never handle.
        self.consume = consume and self.settings.poll_seconds > 0
        #: Whether this process sends queued replies (see InboxSettings.sender).
        self.send_replies = self.settings.sender == "rasa" and self.settings.poll_seconds > 0
        self.directory = directory or AccountDirectory(
            self.channel, account, database_url=database_url
        )
        self.inbox: Inbox[ClaimedJob] = Inbox(
            self._claim,
            self._handle,
            ident=lambda claimed: claimed.job.message_id,
            concurrency=self.settings.concurrency,
            poll_seconds=self.settings.poll_seconds,
        )
        self.outbox: Inbox[QueuedReply] = Inbox(
            self._claim_replies,
            self._send_reply,
            ident=lambda reply: reply.row_id,
            concurrency=max(self.settings.concurrency, 16),
            poll_seconds=self.settings.poll_seconds or 1.0,
        )
        #: Stores deliveries; concurrent POSTs share a transaction (group commit).
        self.writer = InboundWriter(database_url)
        self._listeners: list[NotifyListener] = []
        self._client: aiohttp.ClientSession | None = None
        self._on_new_message: OnNewMessage | None = None
        #: The Sanic app once started (a Rasa server's holds the agent and its tracker store).
        self._app: Any = None

    # --- Rasa's InputChannel interface -------------------------------------------------------

    @classmethod
    def name(cls) -> str:
        """The channel name Rasa stores as the input channel ("whatsapp", ...)."""
        return cls.channel

    def url_prefix(self) -> str:
        """Absolute, so Rasa's urljoin('/webhooks/', prefix) serves exactly /<name>_webhook."""
        return f"/{self.channel}_webhook"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """GET and POST on the prefix, plus the inbox's start and stop listeners."""
        self._on_new_message = on_new_message
        bp = Blueprint(f"{self.channel}_webhook", url_prefix=self.url_prefix())

        # Sanic tags handlers with attributes, which bound methods refuse: wrap them.
        async def verify(request: Request) -> HTTPResponse:
            return await self.verify(request)

        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request)

        async def before_start(app: Any, loop: Any) -> None:
            cap_request_size(app)

        async def after_start(app: Any, loop: Any) -> None:
            self._app = app
            await asyncio.to_thread(self.warm)
            self.start_consuming()

        async def before_stop(app: Any, loop: Any) -> None:
            await self.shutdown()

        bp.add_route(verify, "", methods=["GET"], name="verify")
        bp.add_route(receive, "", methods=["POST"], name="receive")
        bp.listener("before_server_start")(before_start)
        bp.listener("after_server_start")(after_start)
        bp.listener("before_server_stop")(before_stop)
        return bp

    # --- per-platform hooks ------------------------------------------------------------------

    def parse(self, body: bytes) -> ParsedBatch:
        """Turn the raw body into messages and receipts, or raise ParseError."""
        raise NotImplementedError

    async def authenticate(self, request: Request) -> list[Account] | HTTPResponse:
        """The accounts the request may speak for, or the 401/403 response."""
        raise NotImplementedError

    async def admit(self, request: Request) -> tuple[ParsedBatch, list[Account]] | HTTPResponse:
        """The batch and the accounts it may speak for, or the answer refusing the request:
        here authenticate (401/403), then parse (400); the Meta channels override it."""
        auth = await self.authenticate(request)
        if isinstance(auth, HTTPResponse):
            return auth
        try:
            return self.parse(request.body or b""), auth
        except ParseError as exc:
            return response.text(f"bad request: {exc}", status=400)

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
        """Why a stored message must not be answered (e.g. outside a reply window), or None."""
        return None

    async def process(
        self, job: Job, ctx: SendContext, on_new_message: OnNewMessage
    ) -> PlatformOutput:
        """Acknowledge on the platform and hand the message to Rasa (process_<platform>_message);
        returns the output channel holding what Rasa said."""
        raise NotImplementedError

    async def send_stored(self, ctx: SendContext, payload: dict[str, Any]) -> ApiResult:
        """Send one queued platform request (its stored payload)."""
        raise NotImplementedError

    def message_id_of(self, ctx: SendContext, result: ApiResult) -> str | None:
        """The platform's id of a sent message."""
        raise NotImplementedError

    def notice_request(self, recipient: str, text: str) -> dict[str, Any]:
        """The stored-payload form ("request", and "method" where the platform has several)
        of a short plain-text message queued outside a conversation turn (a `notice` row, see
        booking_core.notices)."""
        raise NotImplementedError

    # --- endpoints ---------------------------------------------------------------------------

    async def verify(self, request: Request) -> HTTPResponse:
        """Meta's subscription handshake: echo hub.challenge for a known verify token, else 403."""
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

    async def receive(self, request: Request) -> HTTPResponse:
        """The POST pipeline (see the module docstring); an answer slower than
        SLOW_ACK_SECONDS is logged."""
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
            admitted = await self.admit(request)
        except DATABASE_ERRORS:
            logger.exception("%s webhook: database unavailable", self.channel)
            return response.text("database unavailable", status=503)
        if isinstance(admitted, HTTPResponse):
            return admitted
        return await accept(self, *admitted)

    # --- background processing ---------------------------------------------------------------

    def http_client(self) -> aiohttp.ClientSession:
        """One pooled session per channel (created in the server's event loop)."""
        if self._client is None or self._client.closed:
            self._client = new_session(self.policy)
        return self._client

    def context_for(
        self, account: Account, *, tenant_id: int, contact_id: int, recipient: str
    ) -> SendContext:
        """How to talk to one conversation."""
        return SendContext(
            client=self.http_client(),
            account=account,
            api_url=self.api_url,
            database_url=self.database_url,
            tenant_id=tenant_id,
            contact_id=contact_id,
            recipient=recipient,
            channel=self.channel,
            policy=self.policy,
        )

    async def find_account(self, account_id: str, tenant_id: int) -> Account | None:
        """Tenant `tenant_id`'s account with this platform id (never another tenant's, whose
        token must not answer this tenant's messages), from memory when possible."""
        known, account = self.directory.find_in_memory(account_id, tenant_id)
        if known:
            return account
        return await asyncio.to_thread(self.directory.find, account_id, tenant_id)

    async def _claim(self, limit: int, exclude: frozenset[int]) -> list[ClaimedJob]:
        return await asyncio.to_thread(
            claim_next,
            self.database_url,
            channel=self.channel,
            limit=limit,
            lease=self.lease,
            exclude=exclude,
        )

    async def _handle(self, claimed: ClaimedJob) -> bool:
        """Handle one claimed message, then mark it done and queue its replies in one
        transaction (failed with the reason if it could not be answered). True when the inbox
        should look again: the conversation's next message is waiting, or the outcome is not
        known."""
        job = claimed.job
        if claimed.previous_claim is not None:
            logger.warning(
                "%s message %s taken over from a process that stopped while handling it",
                self.channel,
                job.message_id,
            )
        output: PlatformOutput | None = None
        error: str | None = None
        try:
            output, error = await self._handle_claimed(claimed)
        except Exception as exc:
            logger.exception("%s message %s failed", self.channel, job.message_id)
            error = f"{type(exc).__name__}: {exc}"
        replies = output.queued if output is not None else []
        try:
            completed = await asyncio.to_thread(
                complete_inbound,
                self.database_url,
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
            logger.warning(
                "%s message %s was taken over by another process; its replies are dropped here",
                self.channel,
                job.message_id,
            )
            return True
        if replies and self.send_replies:
            self.outbox.wake()
        return completed.next_waiting

    async def _handle_claimed(
        self, claimed: ClaimedJob
    ) -> tuple[PlatformOutput | None, str | None]:
        job = claimed.job
        account = await self.find_account(job.inbound.account_id or "", job.tenant.id)
        if account is None:
            return None, "account no longer configured"
        error = self.skip_reason(job.inbound)
        if error is not None:
            return None, error
        assert self._on_new_message is not None
        on_new_message = self._on_new_message
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        if claimed.previous_claim is not None and agent is not None:
            # Taken over from a process that died: Rasa may have answered it already.
            on_new_message = functools.partial(handle_taken_over, agent.tracker_store,
                                               on_new_message)  # fmt: skip
        ctx = self.context_for(
            account,
            tenant_id=job.tenant.id,
            contact_id=job.contact_id,
            recipient=job.inbound.chat_id,
        )
        return await self.process(job, ctx, on_new_message), None

    # --- the outbox sender -------------------------------------------------------------------

    async def _claim_replies(self, limit: int, exclude: frozenset[int]) -> list[QueuedReply]:
        return await asyncio.to_thread(
            claim_next_outbound,
            self.database_url,
            channel=self.channel,
            limit=limit,
            lease=self.lease,
            exclude=exclude,
        )

    async def _send_reply(self, reply: QueuedReply) -> bool:
        """Send one queued reply and record the outcome; after a failure the rest of the same
        answer is not sent. A row a dead sender left in "sending" is not sent again. True when
        the outbox should look again (the contact's next reply is waiting)."""
        if reply.abandoned:  # probably sent: the rest of the answer follows
            logger.warning("%s reply %s: %s", self.channel, reply.row_id, UNKNOWN_SEND_OUTCOME)
            await asyncio.to_thread(
                finish_outbound,
                self.database_url,
                reply.row_id,
                platform_message_id=None,
                error=UNKNOWN_SEND_OUTCOME,
            )
            return True
        account_id = str(reply.payload.get("account_id") or "")
        account = await self.find_account(account_id, reply.tenant_id)
        if account is None:
            return await self._finish_reply(reply, None, "account no longer configured")
        ctx = self.context_for(
            account,
            tenant_id=reply.tenant_id,
            contact_id=reply.contact_id,
            recipient=str(reply.payload.get("recipient") or ""),
        )
        payload = reply.payload
        if "request" not in payload and isinstance(payload.get("notice"), str):
            payload = {**payload, **self.notice_request(ctx.recipient, payload["notice"])}
        result = await self.send_stored(ctx, payload)
        if result.ok:
            return await self._finish_reply(reply, self.message_id_of(ctx, result), None)
        error = result.error or "send failed"
        logger.error(
            "%s reply to %s failed after %d attempt(s): %s",
            self.channel,
            ctx.recipient,
            result.attempts,
            error,
        )
        return await self._finish_reply(reply, None, error)

    async def _finish_reply(
        self, reply: QueuedReply, platform_message_id: str | None, error: str | None
    ) -> bool:
        """Record the outcome (connectors.outcome); whether the contact's next reply waits."""
        return await record_outcome(self.database_url, reply, platform_message_id, error)

    # --- lifecycle ---------------------------------------------------------------------------

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

    def start_consuming(self) -> None:
        """Start the inbox (it first takes what earlier runs stored but never handled) and the
        outbox sender, as configured; on PostgreSQL, listen for work from other processes."""
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
        """Stop claiming, finish running work (bounded), then close the HTTP client."""
        for listener in self._listeners:
            listener.stop()
        self._listeners.clear()
        await self.inbox.stop(timeout)
        await self.outbox.stop(timeout)
        if self._client is not None:
            await self._client.close()
            self._client = None


def _waker(loop: asyncio.AbstractEventLoop, inbox: Inbox[Any]) -> Callable[[], None]:
    """A callback for the listener thread that wakes `inbox` in its event loop."""

    def wake() -> None:
        loop.call_soon_threadsafe(inbox.wake)

    return wake


def recent_enough(inbound: InboundMessage, window: timedelta) -> bool:
    """Whether the platform timestamp is within `window` of now (unknown counts as recent)."""
    return inbound.sent_at is None or utcnow() - inbound.sent_at <= window
