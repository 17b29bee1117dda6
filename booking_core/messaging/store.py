"""Storing what the webhooks deliver (synchronous; callers run it in a worker thread), and the
group commit that lets concurrent deliveries share one transaction.

Inbound messages are stored before the webhook answers, with an atomic de-duplicating insert,
together with everything needed to process them again after a restart. Receipts move the
stored outbound row's status; a button's stored payload resolves a "#<index>" reference.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from booking_core.db.models import Tenant
from booking_core.db.repository import (
    ensure_default_tenant,
    get_message_by_platform_id,
    get_tenant,
    mark_message,
)
from booking_core.db.repository.contacts import check_channel
from booking_core.db.repository.messages import INBOX_NOTIFY_CHANNEL, notify_queue
from booking_core.db.session import resolve_url, session_scope
from booking_core.db.types import require_aware, utcnow
from booking_core.errors import UnknownTenantError
from booking_core.messaging.backend import QueueBackend, backend_for
from booking_core.messaging.records import (
    AccountRef,
    InboundMessage,
    Job,
    OutboundPayload,
    StatusUpdate,
    TenantInfo,
    inbound_payload,
)

logger = logging.getLogger(__name__)

#: Receipt statuses the messages table knows; anything else a platform reports is ignored.
RECEIPT_STATUSES = ("sent", "delivered", "read", "failed")
#: What the database raises when it cannot be reached (or refuses an item, see below).
DATABASE_ERRORS = (DBAPIError, PoolTimeoutError)


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached now (the webhook answers 503, the
    platform tries again), as opposed to refusing this item, which it would do on every try."""
    return isinstance(exc, DATABASE_ERRORS) and not isinstance(exc, (DataError, IntegrityError))


#: Where a queue session keeps its backend (`_insert_inbound` gets only the session).
_BACKEND = "booking_core.messaging.backend"


def _tenant(session: Session, account: AccountRef) -> Tenant:
    if account.tenant_id is None:
        return ensure_default_tenant(session)
    tenant = get_tenant(session, tenant_id=account.tenant_id)
    if tenant is None:
        raise UnknownTenantError(f"tenant {account.tenant_id} of {account!r} does not exist")
    return tenant


#: Tenants by (database, tenant id) for a short while: the webhook must not look the tenant up
#: for every delivery (it is the busiest path of the ingest process).
_TENANT_TTL_SECONDS = 10.0
_tenants: dict[tuple[str, int | None], tuple[float, TenantInfo]] = {}


def _tenant_info(database_url: str | None, account: AccountRef) -> TenantInfo:
    key = (resolve_url(database_url), account.tenant_id)
    cached = _tenants.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < _TENANT_TTL_SECONDS:
        return cached[1]
    with session_scope(database_url) as session:
        tenant = _tenant(session, account)
        info = TenantInfo(tenant.id, tenant.slug, tenant.timezone, tenant.locale)
    _tenants[key] = (now, info)
    return info


def warm_tenant(database_url: str | None, account: AccountRef) -> None:
    """Look the account's tenant up now, so the first delivery finds it cached."""
    _tenant_info(database_url, account)


def _checked(account: AccountRef, inbound: InboundMessage) -> InboundMessage:
    """The message as it is stored: stamped with its account, channel and sender validated."""
    inbound = replace(inbound, account_id=account.account_id)
    check_channel(inbound.channel)
    if not inbound.platform_user_id:
        raise ValueError("platform_user_id must not be empty")
    return inbound


@contextmanager
def _queue_session(database_url: str | None) -> Iterator[Session]:
    """`session_scope` carrying the database's queue backend."""
    with session_scope(database_url) as session:
        session.info[_BACKEND] = backend_for(database_url)
        yield session


def persist_inbound(
    database_url: str | None, account: AccountRef, inbound: InboundMessage
) -> Job | None:
    """Store the contact and the message; None when this platform message id is already stored.

    Two upserts in one transaction (INSERT ... ON CONFLICT on the unique keys): concurrent
    deliveries of the same message, in any process, store it once, and a new contact met by two
    processes at once is created once. Kept to a few statements because the webhook waits for it.
    """
    inbound = _checked(account, inbound)
    try:
        return _store_inbound(database_url, _tenant_info(database_url, account), inbound)
    except IntegrityError:
        # The cached tenant was deleted (or recreated) meanwhile: look it up again, once.
        _tenants.pop((resolve_url(database_url), account.tenant_id), None)
        return _store_inbound(database_url, _tenant_info(database_url, account), inbound)


def persist_inbound_many(
    database_url: str | None, items: Sequence[tuple[AccountRef, InboundMessage]]
) -> list[Job | Exception | None]:
    """`persist_inbound` for several deliveries in ONE transaction (group commit).

    The ingest process's cost per delivery is mostly the transaction (round trips, the commit's
    flush to disk), so the webhook writes what concurrent POSTs bring together. The result, in
    the order of `items`, is each item's Job, None (already stored) or the exception that item
    met. Rows are written in key order, so two processes' batches cannot deadlock; if the shared
    transaction fails, every item is tried again alone, so one bad item cannot fail the others.
    """
    results: list[Job | Exception | None] = [None] * len(items)
    ready: list[tuple[int, TenantInfo, InboundMessage]] = []
    for index, (account, inbound) in enumerate(items):
        try:
            checked = _checked(account, inbound)
            ready.append((index, _tenant_info(database_url, account), checked))
        except Exception as exc:  # reported to that delivery's POST alone
            results[index] = exc
    ready.sort(key=lambda r: (r[1].id, r[2].channel, r[2].platform_user_id,
                              r[2].platform_message_id or ""))  # fmt: skip
    try:
        with _queue_session(database_url) as session:
            stored: dict[int, Job | None] = {}
            for index, tenant, inbound in ready:
                stored[index] = _insert_inbound(session, tenant, inbound)
            for channel in sorted({job.inbound.channel for job in stored.values() if job}):
                notify_queue(session, name=INBOX_NOTIFY_CHANNEL, channel=channel)
        for index, job in stored.items():
            results[index] = job
    except Exception:
        if len(ready) > 1:
            logger.warning("group commit of %d deliveries failed; storing them one by one",
                           len(ready), exc_info=True)  # fmt: skip
        for index, _, _ in ready:
            account, inbound = items[index]
            results[index] = _alone(database_url, account, inbound)
    return results


def _alone(
    database_url: str | None, account: AccountRef, inbound: InboundMessage
) -> Job | Exception | None:
    try:
        return persist_inbound(database_url, account, inbound)
    except Exception as exc:
        return exc


def _store_inbound(
    database_url: str | None, tenant: TenantInfo, inbound: InboundMessage
) -> Job | None:
    with _queue_session(database_url) as session:
        job = _insert_inbound(session, tenant, inbound)
        if job is not None:
            notify_queue(session, name=INBOX_NOTIFY_CHANNEL, channel=inbound.channel)
        return job


def _insert_inbound(session: Session, tenant: TenantInfo, inbound: InboundMessage) -> Job | None:
    """The contact upsert and the message insert inside the caller's queue session."""
    backend: QueueBackend = session.info[_BACKEND]
    now = utcnow()
    sent_at = require_aware(inbound.sent_at, "sent_at") if inbound.sent_at else None
    values: dict[str, Any] = {
        "tenant_id": tenant.id,
        "channel": inbound.channel,
        "platform_user_id": inbound.platform_user_id,
        "display_name": inbound.display_name,
        "locale": (inbound.language or None) and inbound.language[:16],
        "created_at": now,
        "last_inbound_at": sent_at or now,
        "text": inbound.text,
        "payload": inbound_payload(inbound),
        "platform_message_id": inbound.platform_message_id or None,
        "sent_at": sent_at,
    }
    return backend.insert_inbound(session, tenant, inbound, values)


def apply_status(database_url: str | None, account: AccountRef, update: StatusUpdate) -> bool:
    """Move the stored outbound message to the receipt's status; False when unknown."""
    if update.status not in RECEIPT_STATUSES:
        return False
    with session_scope(database_url) as session:
        tenant = _tenant(session, account)
        message = get_message_by_platform_id(
            session,
            tenant_id=tenant.id,
            channel=update.channel,
            platform_message_id=update.platform_message_id,
        )
        if message is None or message.direction != "out":
            return False
        mark_message(session, message_id=message.id, status=update.status, error=update.error)
        return True


def stored_buttons(
    database_url: str | None, *, tenant_id: int, channel: str, platform_message_id: str
) -> list[dict[str, Any]] | None:
    """The buttons of an outbound message, to resolve a "#<index>" button reference."""
    with session_scope(database_url) as session:
        message = get_message_by_platform_id(
            session, tenant_id=tenant_id, channel=channel, platform_message_id=platform_message_id
        )
        if message is None or not isinstance(message.payload, dict):
            return None
        if not isinstance(message.payload.get("buttons"), list):
            return None
        return list(OutboundPayload.from_json(message.payload).buttons)


# --- group commit ----------------------------------------------------------------------------

#: Upper bound of one transaction: keeps a batch's commit short and its row locks few.
DEFAULT_MAX_BATCH = 64
#: Transactions in flight at once: while one waits for its commit, the next is being written.
DEFAULT_PARALLEL = 2

_Pending = tuple[AccountRef, InboundMessage, "asyncio.Future[Job | None]"]
_Result = Job | Exception | None


class InboundWriter:
    """Stores deliveries for the POST handlers of one event loop, a batch at a time.

    Each POST awaits its own delivery's outcome, so nothing is acknowledged before it is
    committed; while one transaction is being written, the deliveries that arrive meanwhile
    wait and go together in the next one. Under load the batches grow by themselves (no timer,
    no added latency when idle), and a transaction's cost is paid once per batch.
    """

    def __init__(
        self,
        database_url: str | None,
        max_batch: int = DEFAULT_MAX_BATCH,
        parallel: int | None = None,
    ) -> None:
        self.database_url = database_url
        self.max_batch = max_batch
        #: SQLite has one writer at a time: a second transaction would only wait for the lock.
        self.parallel = parallel or (
            1 if resolve_url(database_url).startswith("sqlite") else DEFAULT_PARALLEL
        )
        self._pending: list[_Pending] = []
        self._flushing: set[asyncio.Task[None]] = set()
        #: The writers' own threads (threads start on first use): acknowledgements never queue
        #: behind the reply sender's or the inbox's database calls in the loop's shared pool.
        self._threads = ThreadPoolExecutor(self.parallel, thread_name_prefix="inbound-writer")

    async def persist(self, account: AccountRef, inbound: InboundMessage) -> Job | None:
        """What `persist_inbound` returns for this delivery, or raises what it would raise."""
        future: asyncio.Future[Job | None] = asyncio.get_running_loop().create_future()
        self._pending.append((account, inbound, future))
        if len(self._flushing) < self.parallel:
            self._flushing.add(asyncio.create_task(self._flush()))
        return await future

    @property
    def idle(self) -> bool:
        """Nothing waiting and no transaction in flight."""
        return not self._pending and not self._flushing

    async def _flush(self) -> None:
        """Write batches until nothing is pending (one of up to `parallel` writers)."""
        try:
            while self._pending:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                await self._write(batch)
        finally:
            # Leaves the set in the same step as the last look at `_pending` (no await between):
            # a delivery added after that look finds a free writer slot and starts a writer.
            self._flushing.discard(asyncio.current_task())  # type: ignore[arg-type]

    async def _write(self, batch: list[_Pending]) -> None:
        items = [(account, inbound) for account, inbound, _ in batch]
        try:
            results = await self._store(items)
        except Exception as exc:  # persist_inbound_many reports per item: this is a bug
            if len(items) == 1:
                logger.exception("storing a delivery failed")
                results = [exc]
            else:  # one item's failure must not fail the POSTs that only shared its transaction
                logger.exception("storing %d deliveries failed; storing them one by one",
                                 len(items))  # fmt: skip
                results = [await self._alone(item) for item in items]
        for (_, _, future), result in zip(batch, results, strict=True):
            if future.done():  # the POST went away (client disconnected); stored anyway
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _store(self, items: list[tuple[AccountRef, InboundMessage]]) -> list[_Result]:
        store = functools.partial(persist_inbound_many, self.database_url, items)
        return await asyncio.get_running_loop().run_in_executor(self._threads, store)

    async def _alone(self, item: tuple[AccountRef, InboundMessage]) -> _Result:
        """The item stored in its own transaction; a failure is its POST's to report."""
        try:
            [result] = await self._store([item])
        except Exception as exc:
            return exc
        return result
