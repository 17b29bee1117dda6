"""Per-sender background processing: one queue and one worker task per conversation.

Messages of one sender are handled strictly in arrival order (a booking conversation depends on
it), different senders in parallel. A worker ends when its queue is empty, so idle conversations
cost nothing. Lives inside the Rasa process; durability comes from the database, not from here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class SenderQueues(Generic[T]):
    """Runs `handler(item)` for each submitted item, in order per key, never raising."""

    def __init__(self, handler: Callable[[T], Awaitable[None]]) -> None:
        self._handler = handler
        self._queues: dict[str, asyncio.Queue[T]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, key: str, item: T) -> None:
        """Queue `item` behind the sender's earlier items (starting a worker if none runs)."""
        queue = self._queues.get(key)
        if queue is None:
            queue = asyncio.Queue()
            self._queues[key] = queue
            task = asyncio.get_running_loop().create_task(self._work(key, queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        queue.put_nowait(item)

    async def _work(self, key: str, queue: asyncio.Queue[T]) -> None:
        while True:
            try:
                item = queue.get_nowait()
            except asyncio.QueueEmpty:
                # No await between the empty check and the removal: submit() cannot interleave.
                del self._queues[key]
                return
            try:
                await self._handler(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("processing a message of %s failed", key)

    @property
    def busy(self) -> bool:
        """Whether any worker is running."""
        return bool(self._tasks)

    async def drain(self) -> None:
        """Wait until every queued item is handled (tests, graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel(self) -> None:
        """Stop all workers; unprocessed messages stay "received" and are recovered on start-up."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._queues.clear()
