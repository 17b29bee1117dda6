"""Waking the queues' consumers when another process stores work (PostgreSQL LISTEN/NOTIFY).

The statements that store or complete work NOTIFY `INBOX_NOTIFY_CHANNEL` or
`OUTBOX_NOTIFY_CHANNEL` at commit, with the platform channel as payload.
"""

from __future__ import annotations

import logging
import select
import threading
from collections.abc import Callable
from typing import Any

from booking_core.messaging.postgres import LISTEN

logger = logging.getLogger(__name__)


class NotifyListener:
    """Wakes an inbox when another process stores work (PostgreSQL LISTEN, in a thread).

    Only an optimisation over polling: when the connection fails the thread reconnects, and the
    inbox still polls every `poll_seconds`.
    """

    def __init__(self, engine: Any, name: str, channel: str, on_notify: Callable[[], None]) -> None:
        self._engine = engine
        self._name = name
        self._channel = channel
        self._on_notify = on_notify
        self._stopping = threading.Event()
        #: Set while LISTEN is in effect (tests wait for it).
        self.ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"listen-{name}-{channel}", daemon=True
        )

    def start(self) -> None:
        """Start listening in a daemon thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop within about a second."""
        self._stopping.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._listen()
            except Exception:
                logger.warning("%s listener for %s lost its connection", self._name, self._channel)
                self._stopping.wait(1.0)

    def _listen(self) -> None:
        pooled = self._engine.raw_connection()
        pooled.detach()  # this connection only listens; it never goes back to the pool
        connection = pooled.connection
        try:
            connection.set_session(autocommit=True)
            with connection.cursor() as cursor:
                cursor.execute(LISTEN.format(name=self._name))
            self.ready.set()
            while not self._stopping.is_set():
                if select.select([connection], [], [], 1.0) == ([], [], []):
                    continue
                connection.poll()
                wanted = any(n.payload == self._channel for n in connection.notifies)
                connection.notifies.clear()
                if wanted:
                    self._on_notify()
        finally:
            self.ready.clear()
            connection.close()
