"""Backoff rules (pure) and call_api against the stand-in server."""

from __future__ import annotations

from connectors.retry import (
    RetryPolicy,
    call_api,
    describe_error,
    is_retryable,
    new_session,
    retry_after_hint,
    retry_delay,
)
from tests.connectors.conftest import FAST, free_port

POLICY = RetryPolicy(attempts=4, base_delay=0.5, max_delay=4.0, max_wait=30.0, jitter=False)


def test_what_is_retried() -> None:
    assert is_retryable(None, None) and is_retryable(429, {}) and is_retryable(503, "")
    assert not is_retryable(400, {"error": {"code": 100}})
    assert is_retryable(400, {"error": {"code": 130429}})  # Graph throughput limit
    assert not is_retryable(401, {}) and not is_retryable(404, None)


def test_retry_after_from_telegram_body_or_header() -> None:
    assert retry_after_hint({}, {"ok": False, "parameters": {"retry_after": 7}}) == 7
    assert retry_after_hint({"Retry-After": "3"}, {}) == 3
    assert retry_after_hint({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, None) == 0
    assert retry_after_hint({}, {"parameters": {"retry_after": True}}) is None
    assert retry_after_hint({"Retry-After": "soon"}, None) is None


def test_delays() -> None:
    assert retry_delay(POLICY, 1, 500, {}, None) == 0.5
    assert retry_delay(POLICY, 3, 500, {}, None) == 2.0
    assert retry_delay(POLICY, 4, 500, {}, None) is None  # attempts used up
    assert retry_delay(POLICY, 1, 400, {}, None) is None
    assert retry_delay(POLICY, 1, 429, {"Retry-After": "9"}, None) == 9
    assert retry_delay(POLICY, 1, 429, {"Retry-After": "900"}, None) == 30.0  # capped
    jittered = RetryPolicy(base_delay=1.0, jitter=True)
    assert retry_delay(jittered, 1, 500, {}, None, rand=lambda: 0.0) == 0.5


def test_describe_error() -> None:
    graph = {"error": {"message": "Invalid OAuth access token", "code": 190}}
    assert describe_error(401, graph) == "HTTP 401: Invalid OAuth access token (code 190)"
    assert describe_error(429, {"ok": False, "description": "Too Many Requests"}) == (
        "HTTP 429: Too Many Requests"
    )


async def test_call_api_retries_429_then_succeeds(standin) -> None:
    standin.fail_next(
        "/whatsapp", 429, {"error": {"message": "slow down", "code": 80007}}, {"Retry-After": "0"}
    )
    async with new_session() as client:
        result = await call_api(
            client, "POST", standin.url + "/whatsapp/1/messages", json_body={"to": "1"}, policy=FAST
        )
    assert result.ok and result.attempts == 2 and result.body["messages"][0]["id"]


async def test_call_api_gives_up_on_400_at_once(standin) -> None:
    standin.fail_next("/whatsapp", 400, {"error": {"message": "bad param", "code": 100}})
    async with new_session() as client:
        result = await call_api(client, "POST", standin.url + "/whatsapp/1/messages", policy=FAST)
    assert not result.ok and result.attempts == 1 and "bad param" in (result.error or "")


async def test_call_api_transport_error_is_returned_not_raised() -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with new_session() as client:
        result = await call_api(
            client, "GET", f"http://127.0.0.1:{free_port()}/", policy=FAST, sleep=sleep
        )
    assert not result.ok and result.status is None and result.attempts == FAST.attempts
    assert len(sleeps) == FAST.attempts - 1 and "ClientConnectorError" in (result.error or "")


def test_requests_wait_for_a_pooled_connection_instead_of_failing() -> None:
    from connectors.retry import RetryPolicy, request_timeout

    timeout = request_timeout(RetryPolicy())
    assert timeout.total is None and timeout.connect is None  # both would count the pool wait
    assert timeout.sock_connect == timeout.sock_read == RetryPolicy().timeout


async def test_a_transport_error_never_carries_the_bot_token() -> None:
    token = "123456:SECRET-token"
    async with new_session() as client:
        url = f"http://127.0.0.1:{free_port()}/bot{token}/sendMessage"
        result = await call_api(client, "POST", url, policy=RetryPolicy(attempts=1))
    assert not result.ok and result.error and "SECRET" not in result.error
