"""calendar_writes.attempt_write: every outcome of a provider write, decided in one place.

Pure: no database. First with a scripted provider (the decision over what an error says), then
with the real Google provider answering through HttpMockSequence (sockets blocked), so each row
of the module's decision table is checked against Google's actual errors.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from booking_core.calendar_writes import (
    DEFERRED,
    DONE,
    FAILED,
    GONE,
    NEEDS_REAUTH,
    WriteResult,
    attempt_write,
    decide,
    keep_owed,
    owed_operation,
)
from booking_core.calendars.base import ProviderError, ProviderResult
from booking_core.crypto import SecretBox
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.retry_policy import NO_RETRY, RetryPolicy
from tests.booking_core.google_factories import (
    TOKEN_OK,
    UID,
    TimingOutHttp,
    error_body,
    google_event,
    make_event,
    make_tenant,
    no_network,  # noqa: F401  (autouse: no real connection from this module either)
    provider_with,
)

THREE = RetryPolicy(attempts=3, base_delay=0.0)


class FakeError(Exception):
    """An error carrying only the attributes a provider error may carry."""

    def __init__(self, **attributes: Any) -> None:
        super().__init__(attributes.get("message", "failure"))
        for name, value in attributes.items():
            setattr(self, name, value)


class Scripted:
    """A provider whose calls raise the scripted errors in turn, then succeed."""

    name = "scripted"

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls: list[str] = []

    def _call(self, operation: str) -> ProviderResult:
        self.calls.append(operation)
        if self.errors:
            raise self.errors.pop(0)
        return ProviderResult(provider_event_id="p1", link="https://cal/p1")

    def create_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        return self._call("create")

    def update_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        return self._call("update")

    def delete_event(self, tenant: Tenant, event: CalendarEvent) -> None:
        self._call("delete")


def write(provider: Any, operation: str = "create", **kwargs: Any) -> WriteResult:
    return attempt_write(provider, Tenant(id=1), CalendarEvent(uid="u1"), operation, **kwargs)  # type: ignore[arg-type]


# --- the decision over what an error says -----------------------------------------------------


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (FakeError(needs_reauth=True, retryable=False), NEEDS_REAUTH),  # invalid_grant
        (FakeError(status=401), NEEDS_REAUTH),
        (FakeError(status=404, retryable=False), GONE),
        (FakeError(status=410), GONE),
        (FakeError(reason="gone", retryable=False), GONE),
        (FakeError(status=503), DEFERRED),
        (FakeError(status=429), DEFERRED),
        (FakeError(status=408), DEFERRED),
        (FakeError(status=403, retryable=True), DEFERRED),  # a rate limit said so
        (TimeoutError("timed out"), DEFERRED),
        (ConnectionRefusedError(), DEFERRED),
        (ProviderError("503", retryable=True), DEFERRED),
        (RuntimeError("unexpected"), DEFERRED),  # says nothing: kept until the event ends
        (FakeError(status=400), FAILED),
        (FakeError(status=403), FAILED),
        (FakeError(status=409), FAILED),
        (ProviderError("400 invalid", retryable=False), FAILED),
    ],
)
def test_decide(error: BaseException, outcome: str) -> None:
    assert decide(error) == outcome


def test_done_on_the_first_call() -> None:
    provider = Scripted()
    result = write(provider, policy=THREE, attempts_before=2)
    assert (result.outcome, result.attempts, result.error, result.owed) == (DONE, 3, None, False)
    assert result.written == ProviderResult("p1", "https://cal/p1")


def test_outage_is_retried_then_deferred_with_the_attempt_count() -> None:
    waits: list[float] = []
    provider = Scripted(*(FakeError(status=503, retryable=True) for _ in range(3)))
    result = write(provider, policy=RetryPolicy(attempts=3), sleep=waits.append)
    assert (result.outcome, result.attempts, result.owed) == (DEFERRED, 3, True)
    assert waits == [0.5, 1.0] and provider.calls == ["create"] * 3
    assert result.error == "FakeError: failure"
    # The worker's next pass counts on from the row's attempts.
    later = write(Scripted(TimeoutError("timed out")), "update", attempts_before=3)
    assert (later.outcome, later.attempts, later.operation) == (DEFERRED, 4, "update")


def test_outage_that_ends_while_retrying_is_done() -> None:
    result = write(Scripted(TimeoutError("timed out")), policy=THREE)
    assert (result.outcome, result.attempts) == (DONE, 2)


@pytest.mark.parametrize(
    "error",
    [FakeError(needs_reauth=True, retryable=False, reason="invalid_grant"), FakeError(status=401)],
)
def test_refused_credentials_are_not_retried(error: BaseException) -> None:
    provider = Scripted(error)
    result = write(provider, policy=THREE)
    assert (result.outcome, result.attempts, result.owed, result.exc) == (
        NEEDS_REAUTH,
        1,
        True,
        error,
    )


def test_unknown_errors_are_deferred_without_retrying_in_place() -> None:
    provider = Scripted(RuntimeError("bug"))
    result = write(provider, policy=THREE)
    assert (result.outcome, result.attempts) == (DEFERRED, 1)
    assert result.error == "RuntimeError: bug"


@pytest.mark.parametrize("operation", ["create", "update"])
def test_gone(operation: str) -> None:
    result = write(Scripted(FakeError(status=404, retryable=False)), operation, policy=THREE)
    assert (result.outcome, result.attempts, result.owed) == (GONE, 1, False)


def test_deleting_an_event_that_is_gone_is_done() -> None:
    result = write(Scripted(FakeError(status=410, retryable=False)), "delete")
    assert (result.outcome, result.written, result.attempts) == (DONE, None, 1)


def test_permanent_refusal_fails() -> None:
    result = write(Scripted(FakeError(status=400, retryable=False)), "update", policy=THREE)
    assert (result.outcome, result.attempts, result.owed) == (FAILED, 1, False)


def test_keep_owed_refuses_a_write_that_is_not_owed() -> None:
    with pytest.raises(ValueError, match="not owed"):
        keep_owed(None, Tenant(id=1), CalendarEvent(), WriteResult(DONE, "create", 1))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "recorded", "provider_id", "owed"),
    [
        ("pending", "create", None, "create"),
        ("pending", "update", "p1", "update"),
        ("pending", "update", None, "create"),  # the provider never received it
        ("pending", None, None, "create"),  # pending without a record (crash, by hand)
        ("pending", None, "p1", "update"),
        ("cancelled", "delete", "p1", "delete"),
        ("cancelled", "create", None, "delete"),
        ("cancelled", None, "p1", None),
        ("confirmed", None, "p1", None),
        ("failed", None, None, None),
    ],
)
def test_owed_operation(
    status: str, recorded: str | None, provider_id: str | None, owed: str | None
) -> None:
    event = CalendarEvent(status=status, owed_operation=recorded, provider_event_id=provider_id)
    assert owed_operation(event) == owed


# --- the same table against the Google provider's real errors -------------------------------


def answer(status: int, body: str) -> tuple[dict, str]:
    return ({"status": str(status)}, body)


def google_write(
    box: SecretBox, responses: list[tuple[dict, str]], operation: str = "create"
) -> WriteResult:
    provider, _ = provider_with(box, responses)
    event = make_event(provider_event_id=UID if operation != "create" else None)
    return attempt_write(provider, make_tenant(box), event, operation, policy=THREE)  # type: ignore[arg-type]


def test_google_ok(box: SecretBox) -> None:
    result = google_write(box, [TOKEN_OK, answer(200, json.dumps(google_event()))])
    assert (result.outcome, result.attempts) == (DONE, 1)
    assert result.written is not None and result.written.provider_event_id == UID


def test_google_timeout_is_deferred_after_the_retries(box: SecretBox) -> None:
    from booking_core.calendars.google import GoogleCalendarProvider
    from booking_core.calendars.google_config import GoogleConfig

    provider = GoogleCalendarProvider(
        config=GoogleConfig(client_id="c", client_secret="s"),
        http_factory=TimingOutHttp,
        secret_box=box,
    )
    result = attempt_write(provider, make_tenant(box), make_event(), "create", policy=THREE)
    assert (result.outcome, result.attempts) == (DEFERRED, 3)


@pytest.mark.parametrize(
    "failure",
    [
        answer(503, error_body(503, "backendError")),
        answer(500, error_body(500, "internalError")),
        answer(429, error_body(429, "rateLimitExceeded")),
        answer(403, error_body(403, "userRateLimitExceeded")),
    ],
)
def test_google_5xx_and_rate_limits_are_deferred(
    box: SecretBox, failure: tuple[dict, str]
) -> None:
    result = google_write(box, [TOKEN_OK, failure, failure, failure])
    assert (result.outcome, result.attempts) == (DEFERRED, 3)


def test_google_401_needs_reauth(box: SecretBox) -> None:
    unauthorized = answer(401, error_body(401, "authError", "Invalid Credentials"))
    result = google_write(box, [TOKEN_OK, unauthorized] * 3)
    assert (result.outcome, result.attempts) == (NEEDS_REAUTH, 1)
    assert getattr(result.exc, "fingerprint", None)  # the flag compares the credential


def test_google_invalid_grant_needs_reauth(box: SecretBox) -> None:
    revoked = answer(400, json.dumps({"error": "invalid_grant", "error_description": "revoked"}))
    result = google_write(box, [revoked])
    assert (result.outcome, result.attempts) == (NEEDS_REAUTH, 1)
    assert "invalid_grant" in (result.error or "")


@pytest.mark.parametrize("status", [404, 410])
def test_google_update_of_a_missing_event_is_gone(box: SecretBox, status: int) -> None:
    missing = answer(status, error_body(status, "notFound" if status == 404 else "deleted"))
    result = google_write(box, [TOKEN_OK, missing], "update")
    assert (result.outcome, result.attempts) == (GONE, 1)


def test_google_update_of_a_cancelled_event_is_gone(box: SecretBox) -> None:
    cancelled = answer(200, json.dumps(google_event(status="cancelled")))
    assert google_write(box, [TOKEN_OK, cancelled], "update").outcome == GONE


@pytest.mark.parametrize("status", [404, 410])
def test_google_delete_of_a_missing_event_is_done(box: SecretBox, status: int) -> None:
    missing = answer(status, error_body(status, "notFound"))
    assert google_write(box, [TOKEN_OK, missing], "delete").outcome == DONE


@pytest.mark.parametrize(
    "refusal",
    [
        answer(400, error_body(400, "invalid", "Bad Request")),
        answer(403, error_body(403, "forbiddenForNonOrganizer")),
    ],
)
def test_google_other_4xx_fails(box: SecretBox, refusal: tuple[dict, str]) -> None:
    result = google_write(box, [TOKEN_OK, refusal], "update")
    assert (result.outcome, result.attempts) == (FAILED, 1)


def test_attempt_write_leaves_the_row_alone(box: SecretBox) -> None:
    """attempt_write only writes to the provider: the row is the caller's to record."""
    event = make_event()
    before = (event.status, event.owed_operation, event.error)
    provider, _ = provider_with(box, [TOKEN_OK, answer(503, error_body(503, "backendError"))])
    attempt_write(provider, make_tenant(box), event, "create", policy=NO_RETRY)
    assert (event.status, event.owed_operation, event.error) == before
    assert event.start == datetime(2026, 7, 1, 14, 0, tzinfo=timezone.utc)
