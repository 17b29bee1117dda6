"""Group commit for the webhooks: concurrent deliveries share one database transaction.

Each POST awaits its own delivery's outcome, so nothing is acknowledged before it is committed;
while one transaction is being written, the deliveries that arrive meanwhile wait and go
together in the next one. Under load the batches grow by themselves (no timer, no added
latency when idle), and the cost of a transaction (round trips, the commit's flush to disk) is
paid once per batch instead of once per delivery.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor

from booking_core.db.session import resolve_url
from connectors.accounts import Account
from connectors.inbound import InboundMessage
from connectors.store import Job, persist_inbound_many

logger = logging.getLogger(__name__)

#: Upper bound of one transaction: keeps a batch's commit short and its row locks few.
DEFAULT_MAX_BATCH = 64
#: Transactions in flight at once: while one waits for its commit, the next is being written.
DEFAULT_PARALLEL = 2

_Pending = tuple[Account, InboundMessage, "asyncio.Future[Job | None]"]
_Result = Job | Exception | None


class InboundWriter:
    """Stores deliveries for the POST handlers of one event loop, a batch at a time."""

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

    async def persist(self, account: Account, inbound: InboundMessage) -> Job | None:
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

    async def _store(self, items: list[tuple[Account, InboundMessage]]) -> list[_Result]:
        store = functools.partial(persist_inbound_many, self.database_url, items)
        return await asyncio.get_running_loop().run_in_executor(self._threads, store)

    async def _alone(self, item: tuple[Account, InboundMessage]) -> _Result:
        """The item stored in its own transaction; a failure is its POST's to report."""
        try:
            [result] = await self._store([item])
        except Exception as exc:
            return exc
        return result
