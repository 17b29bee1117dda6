"""retry_policy: the one RetryPolicy (backoff, jitter, Retry-After) and call_with_retry."""

from __future__ import annotations

import pytest

from booking_core.retry_policy import (
    DEFAULT_RETRY,
    NO_RETRY,
    PLATFORM_RETRY,
    RetryPolicy,
    call_with_retry,
    is_retryable,
)


def test_backoff_doubles_and_caps() -> None:
    policy = RetryPolicy(attempts=6, base_delay=0.5, max_delay=4.0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_jitter_takes_up_to_half_off() -> None:
    jittered = RetryPolicy(base_delay=1.0, jitter=True)
    assert jittered.backoff(1, rand=lambda: 0.0) == 0.5
    assert jittered.backoff(1, rand=lambda: 1.0) == 1.0


def test_a_hint_is_waited_at_least_and_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    assert policy.wait(1, retry_after=2.0) == 2.0
    assert policy.wait(1, retry_after=0.0) == 0.5  # never sooner than the backoff
    assert policy.wait(1, retry_after=30.0) == 4.0  # capped by max_delay without max_wait
    assert RetryPolicy(max_wait=30.0).wait(1, retry_after=900.0) == 30.0


def test_presets() -> None:
    assert (DEFAULT_RETRY.attempts, DEFAULT_RETRY.jitter, NO_RETRY.attempts) == (3, False, 1)
    assert (PLATFORM_RETRY.attempts, PLATFORM_RETRY.max_wait, PLATFORM_RETRY.jitter) == (
        4,
        60.0,
        True,
    )


class FlakyError(Exception):
    def __init__(self, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__("flaky")
        self.retryable = retryable
        self.retry_after = retry_after


def test_call_with_retry_retries_only_retryable_errors() -> None:
    assert is_retryable(TimeoutError()) and not is_retryable(ValueError())
    assert not is_retryable(FlakyError(False)) and is_retryable(FlakyError(True))
    failures = [FlakyError(True, retry_after=1.5), FlakyError(True)]
    waits: list[float] = []

    def call() -> str:
        if failures:
            raise failures.pop(0)
        return "ok"

    assert call_with_retry(call, RetryPolicy(attempts=3), sleep=waits.append) == "ok"
    assert waits == [1.5, 1.0]
    def always() -> str:
        raise FlakyError(True)

    with pytest.raises(FlakyError):  # attempts used up: the last error, unchanged
        call_with_retry(always, NO_RETRY, sleep=waits.append)
    assert waits == [1.5, 1.0]
