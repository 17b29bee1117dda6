"""How often and how long to retry a call to an outside system, in one place.

Every provider call made while a customer waits goes through `call_with_retry` with a policy;
the worker makes one call per pass and spaces its passes itself (`booking_core.worker.backoff`).
The policy also carries what the platform senders need (a per-request `timeout`, `jitter`, a
cap on a server's Retry-After hint), so one type serves both.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts and exponential backoff: attempt n waits `base_delay * 2**(n-1)`, capped at
    `max_delay` (halved at random down to half with `jitter`). A server's Retry-After hint is
    waited at least, up to `max_wait` (None: `max_delay`)."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 4.0
    max_wait: float | None = None
    #: Per-request limit in seconds, for HTTP clients that take it from the policy.
    timeout: float = 10.0
    jitter: bool = False

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based), before any hint."""
        delay = min(self.max_delay, self.base_delay * 2 ** max(attempt - 1, 0))
        if self.jitter:
            delay *= 0.5 + rand() / 2
        return delay

    def wait(
        self,
        attempt: int,
        retry_after: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait after failed attempt `attempt`: the backoff, or the server's hint
        when it asks for longer, never beyond the cap."""
        delay = self.backoff(attempt, rand)
        if retry_after is None:
            return delay
        cap = self.max_delay if self.max_wait is None else self.max_wait
        return min(cap, max(delay, retry_after))


#: Calls made while a customer waits: short enough to answer inside a conversation turn
#: (about 2 s of waiting plus the calls).
DEFAULT_RETRY = RetryPolicy()
#: One call, no retry (the worker, which retries on its own schedule).
NO_RETRY = RetryPolicy(attempts=1)
#: The platform senders' policy (connectors): more patience, jitter, Retry-After up to a minute.
PLATFORM_RETRY = RetryPolicy(
    attempts=4, base_delay=0.5, max_delay=8.0, max_wait=60.0, timeout=10.0, jitter=True
)


def is_retryable(exc: BaseException) -> bool:
    """Errors say so themselves (`retryable`); bare network errors are retryable, others not."""
    return bool(getattr(exc, "retryable", isinstance(exc, OSError)))


def call_with_retry(
    call: Callable[[], T],
    policy: RetryPolicy = DEFAULT_RETRY,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`, retrying retryable errors as `policy` says (a `retry_after` attribute on the
    error is the server's hint); the last error is raised unchanged."""
    attempt = 1
    while True:
        try:
            return call()
        except Exception as exc:
            if attempt >= policy.attempts or not is_retryable(exc):
                raise
            hinted = getattr(exc, "retry_after", None)
            hint = float(hinted) if isinstance(hinted, (int, float)) else None
            delay = policy.wait(attempt, hint)
            logger.info("call failed (%s), retry %d in %.1fs", exc, attempt, delay)
            if delay > 0:
                sleep(delay)
            attempt += 1
