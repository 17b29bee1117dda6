"""Google errors (calendars/google_errors.py): HTTP errors mapped to retryable or permanent
provider errors, credentials errors that flag the tenant, timeouts and token endpoint outages.

Driven through HttpMockSequence with sockets blocked (see tests/booking_core/google_factories.py).
"""

from __future__ import annotations

import json

import pytest

from booking_core.calendars.base import ProviderError
from booking_core.calendars.google import GoogleCalendarProvider
from booking_core.calendars.google_config import GoogleConfig, settings_fingerprint
from booking_core.calendars.google_errors import GoogleApiError, GoogleCredentialsError, map_error
from booking_core.crypto import SecretBox
from tests.booking_core.google_factories import (
    TOKEN_OK,
    UID,
    TimingOutHttp,
    error_body,
    make_event,
    make_tenant,
    no_network,  # noqa: F401  (autouse: no real connection from this module)
    provider_with,
)


@pytest.mark.parametrize(
    ("status", "body", "headers", "retryable", "credentials"),
    [
        ("503", error_body(503, "backendError"), {}, True, False),
        ("500", error_body(500, "internalError"), {}, True, False),
        ("429", error_body(429, "rateLimitExceeded"), {"retry-after": "7"}, True, False),
        ("403", error_body(403, "rateLimitExceeded"), {}, True, False),
        ("403", error_body(403, "forbidden"), {}, False, True),
        ("400", error_body(400, "invalid", "Bad Request"), {}, False, False),
    ],
)
def test_error_mapping(
    box: SecretBox, status: str, body: str, headers: dict, retryable: bool, credentials: bool
) -> None:
    provider, _ = provider_with(box, [TOKEN_OK, ({"status": status, **headers}, body)])
    with pytest.raises(ProviderError) as info:
        provider.create_event(make_tenant(box), make_event())
    assert info.value.retryable is retryable
    assert isinstance(info.value, GoogleCredentialsError) is credentials
    if headers:
        assert getattr(info.value, "retry_after", None) == 7.0


def test_revoked_refresh_token_is_a_credentials_error(box: SecretBox) -> None:
    revoked = (
        {"status": "400"},
        json.dumps(
            {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        ),
    )
    provider, mock = provider_with(box, [revoked])
    tenant = make_tenant(box)
    with pytest.raises(GoogleCredentialsError) as info:
        provider.create_event(tenant, make_event())
    assert info.value.retryable is False and info.value.needs_reauth
    assert "invalid_grant" in info.value.reason
    assert info.value.fingerprint == settings_fingerprint(tenant.calendar_settings["google"])
    assert len(mock.request_sequence) == 1  # the insert was never sent


def test_401_after_refresh_is_a_credentials_error(box: SecretBox) -> None:
    unauthorized = ({"status": "401"}, error_body(401, "authError", "Invalid Credentials"))
    provider, _ = provider_with(
        box, [TOKEN_OK, unauthorized, TOKEN_OK, unauthorized, TOKEN_OK, unauthorized]
    )
    with pytest.raises(GoogleCredentialsError):
        provider.create_event(make_tenant(box), make_event())


def test_flagged_tenant_sends_nothing(box: SecretBox) -> None:
    provider, mock = provider_with(box, [])
    tenant = make_tenant(box, needs_reauth=True, reauth_reason="invalid_grant")
    with pytest.raises(GoogleCredentialsError, match="renewed"):
        provider.create_event(tenant, make_event())
    assert mock.request_sequence == []


def test_not_connected_tenant(box: SecretBox) -> None:
    provider, _ = provider_with(box, [])
    tenant = make_tenant(box)
    tenant.calendar_settings = {"google": {"calendar_id": "primary"}}
    with pytest.raises(GoogleCredentialsError, match="not connected"):
        provider.get_event(tenant, UID)


def test_timeouts_are_retryable(box: SecretBox) -> None:
    config = GoogleConfig(client_id="c", client_secret="s")
    provider = GoogleCalendarProvider(config=config, http_factory=TimingOutHttp, secret_box=box)
    with pytest.raises(ProviderError) as info:
        provider.create_event(make_tenant(box), make_event())
    assert info.value.retryable is True
    assert map_error(ConnectionRefusedError()).retryable is True
    assert map_error(RuntimeError("bug")).retryable is False


def test_token_endpoint_outage_is_retryable(
    box: SecretBox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import google.auth._exponential_backoff as backoff

    monkeypatch.setattr(backoff.time, "sleep", lambda seconds: None)
    down = ({"status": "503"}, json.dumps({"error": "temporarily_unavailable"}))
    provider, _ = provider_with(box, [down, down, down])
    with pytest.raises(GoogleApiError) as info:
        provider.create_event(make_tenant(box), make_event())
    assert info.value.retryable is True
