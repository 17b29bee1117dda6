"""Work queues in the database, consumed by any number of processes.

Whoever acknowledged a delivery (this process's webhook, or the ingest process) only stored it.
Every Rasa process runs one `Inbox` per channel that claims stored messages (the first unhandled
one of each conversation, see `claim_next`) and handles them, up to `concurrency` at a time.
The replies are queued in the same transaction that completes the message, and a second `Inbox`
(the outbox sender, in the ingest process or in each Rasa process) claims and sends them.
Each looks again when woken (local work, a PostgreSQL NOTIFY from another process, a finished
item that may have made more work claimable) or every `poll_seconds`, which also picks up work
whose claimer died and closes the one race a wake-up can miss on PostgreSQL: a conversation's
next message stored while its previous one is being completed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from booking_core.messaging.listener import NotifyListener

__all__ = ["Inbox", "InboxSettings", "NotifyListener"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
Fetch = Callable[[int, frozenset[int]], Awaitable[list[T]]]
#: Handles one item; returns False when finishing it cannot have made more work claimable here
#: (anything else: look again).
Handle = Callable[[T], Awaitable["bool | None"]]


@dataclass(frozen=True)
class InboxSettings:
    """INBOX_CONCURRENCY: messages handled at once per channel and process (8).
    INBOX_POLL_SECONDS: how often to look without a wake-up (1.0; 0 disables the consumer).
    INBOX_LEASE_SECONDS: a claim older than this belongs to a dead process (120).
    OUTBOX_SENDER: "rasa" (default: every Rasa process also sends replies) or "ingest" (only
    the ingest process sends, so a Rasa process dying can never interrupt a send)."""

    concurrency: int = 8
    poll_seconds: float = 1.0
    lease: timedelta = timedelta(minutes=2)
    sender: str = "rasa"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> InboxSettings:
        """Read the variables above, falling back to the defaults."""
        env = os.environ if environ is None else environ
        return cls(
            concurrency=max(1, int(env.get("INBOX_CONCURRENCY") or 8)),
            poll_seconds=float(env.get("INBOX_POLL_SECONDS") or 1.0),
            lease=timedelta(seconds=float(env.get("INBOX_LEASE_SECONDS") or 120)),
            sender="ingest" if env.get("OUTBOX_SENDER") == "ingest" else "rasa",
        )


class Inbox(Generic[T]):
    """Claims and handles stored items of one channel inside one process."""

    def __init__(
        self,
        fetch: Fetch[T],
        handle: Handle[T],
        *,
        ident: Callable[[T], int],
        concurrency: int,
        poll_seconds: float,
    ):
        self._fetch = fetch
        self._handle = handle
        self._ident = ident
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._tasks: dict[int, asyncio.Task[bool | None]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._filling = False
        #: The last look stopped because there was no room: work may be waiting unclaimed.
        self._full = False

    def start(self) -> None:
        """Start the consumer loop in the running event loop (it looks at once)."""
        if self._loop_task is None:
            self._wake.set()
            self._loop_task = asyncio.get_running_loop().create_task(self._run())

    def wake(self) -> None:
        """Look for work now (safe to call often; from the event loop's thread only)."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
            try:
                await self.fill()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("inbox: could not claim messages; trying again later")
                await asyncio.sleep(min(self.poll_seconds, 1.0))

    async def fill(self) -> int:
        """Claim as many messages as there is room for and start handling them."""
        self._filling = True
        started = 0
        try:
            while (room := self.concurrency - len(self._tasks)) > 0:
                jobs = await self._fetch(room, frozenset(self._tasks))
                for claimed in jobs:
                    self._start(claimed)
                started += len(jobs)
                if len(jobs) < room:
                    self._full = False
                    break
            else:
                self._full = True
        finally:
            self._filling = False
        return started

    def _start(self, claimed: T) -> None:
        message_id = self._ident(claimed)
        task = asyncio.get_running_loop().create_task(self._handle_one(claimed))
        self._tasks[message_id] = task
        task.add_done_callback(lambda done: self._finished(message_id, done))

    async def _handle_one(self, claimed: T) -> bool | None:
        try:
            return await self._handle(claimed)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("inbox: handling item %s failed", self._ident(claimed))
            return None

    def _finished(self, message_id: int, task: asyncio.Task[bool | None]) -> None:
        """Room again: look when the last look left work unclaimed or the handler says its
        item's end may have made more claimable (the conversation's next message). Otherwise
        a look would find nothing (new work wakes the inbox itself), and at one look per
        message that is a database round trip per message saved."""
        self._tasks.pop(message_id, None)
        more = task.cancelled() or task.exception() is not None or task.result() is not False
        if more or self._full:
            self._wake.set()

    @property
    def busy(self) -> bool:
        """Whether messages are being handled or a look is due."""
        return bool(self._tasks) or self._filling or self._wake.is_set()

    async def drain(self) -> None:
        """Wait until nothing stored is left to handle here (tests, graceful shutdown)."""
        while True:
            if self._tasks:
                await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
            elif self._loop_task is not None and (self._filling or self._wake.is_set()):
                await asyncio.sleep(0.005)  # the running loop is about to claim more
            else:
                return

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming, let running messages finish (bounded), cancel the rest; what is left
        stays stored and is handled by the next process after the lease."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        running = list(self._tasks.values())
        if running:
            _, pending = await asyncio.wait(running, timeout=timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._wake.clear()
