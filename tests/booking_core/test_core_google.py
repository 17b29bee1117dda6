"""Google Calendar provider driven through HttpMockSequence, with sockets blocked.

The service is built from the discovery document bundled with google-api-python-client
(static discovery), so no response is queued for discovery: the first queued response answers the
OAuth token refresh, the next ones the Calendar API calls, and `request_sequence` shows exactly what
was sent.
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from googleapiclient.http import HttpMockSequence

from booking_core.calendars import google as google_module
from booking_core.calendars.base import ProviderError
from booking_core.calendars.google import GoogleCalendarProvider
from booking_core.calendars.google_config import (
    DEFAULT_TOKEN_URI,
    GoogleConfig,
    settings_fingerprint,
)
from booking_core.calendars.google_errors import GoogleApiError, GoogleCredentialsError, map_error
from booking_core.calendars.registry import get_provider
from booking_core.crypto import SecretBox, generate_key
from booking_core.db.models import CalendarEvent, Tenant

LONDON = ZoneInfo("Europe/London")
API = "https://www.googleapis.com/calendar/v3"
UID = "0123456789abcdefghijklmnop"
TOKEN_OK = ({"status": "200"}, json.dumps({"access_token": "ya29.token", "expires_in": 3600}))
INSERT_URI = f"{API}/calendars/primary/events?sendUpdates=none&alt=json"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any real connection attempt fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access attempted in a unit test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.fixture
def box() -> SecretBox:
    return SecretBox([generate_key()])


def make_tenant(box: SecretBox, **section: Any) -> Tenant:
    google = {
        "refresh_token_enc": box.encrypt("1//refresh-token"),
        "calendar_id": "primary",
        "connected_at": "2026-06-01T10:00:00+00:00",
        **section,
    }
    return Tenant(
        id=7,
        name="Salon",
        slug="salon",
        timezone="Europe/London",
        calendar_provider="google",
        calendar_settings={"google": google},
    )


def make_event(**overrides: Any) -> CalendarEvent:
    values: dict[str, Any] = {
        "id": 1,
        "tenant_id": 7,
        "uid": UID,
        "title": "Haircut with Ann",
        "start": datetime(2026, 7, 1, 15, 0, tzinfo=LONDON),
        "end": datetime(2026, 7, 1, 15, 45, tzinfo=LONDON),
        "timezone": "Europe/London",
        "provider": "google",
        "status": "pending",
    }
    values.update(overrides)
    return CalendarEvent(**values)


def provider_with(
    box: SecretBox, responses: list[tuple[dict, str]]
) -> tuple[Any, HttpMockSequence]:
    mock = HttpMockSequence(list(responses))
    config = GoogleConfig(client_id="client-id.apps", client_secret="client-secret")
    return GoogleCalendarProvider(config=config, http_factory=lambda: mock, secret_box=box), mock


def google_event(**overrides: Any) -> dict[str, Any]:
    payload = {
        "kind": "calendar#event",
        "id": UID,
        "status": "confirmed",
        "htmlLink": f"https://www.google.com/calendar/event?eid={UID}",
        "summary": "Haircut with Ann",
        "start": {"dateTime": "2026-07-01T15:00:00+01:00", "timeZone": "Europe/London"},
        "end": {"dateTime": "2026-07-01T15:45:00+01:00", "timeZone": "Europe/London"},
    }
    payload.update(overrides)
    return payload


def error_body(code: int, reason: str, message: str = "error") -> str:
    return json.dumps({"error": {"code": code, "message": message, "errors": [{"reason": reason}]}})


EXPECTED_BODY = {
    "id": UID,
    "summary": "Haircut with Ann",
    "start": {"dateTime": "2026-07-01T15:00:00+01:00", "timeZone": "Europe/London"},
    "end": {"dateTime": "2026-07-01T15:45:00+01:00", "timeZone": "Europe/London"},
}


def test_create_refreshes_token_and_inserts_with_client_id(box: SecretBox) -> None:
    provider, mock = provider_with(box, [TOKEN_OK, ({"status": "200"}, json.dumps(google_event()))])
    result = provider.create_event(make_tenant(box), make_event())
    assert result.provider_event_id == UID
    assert result.link == f"https://www.google.com/calendar/event?eid={UID}"

    (token_uri, token_method, token_body, _), (uri, method, body, headers) = mock.request_sequence
    assert (token_uri, token_method) == (DEFAULT_TOKEN_URI, "POST")
    form = parse_qs(token_body.decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "client_id": ["client-id.apps"],
        "client_secret": ["client-secret"],
        "refresh_token": ["1//refresh-token"],
    }
    assert (uri, method) == (INSERT_URI, "POST")
    assert json.loads(body) == EXPECTED_BODY
    assert headers["authorization"] == "Bearer ya29.token"


def test_send_updates_and_calendar_come_from_tenant_settings(box: SecretBox) -> None:
    provider, mock = provider_with(box, [TOKEN_OK, ({"status": "200"}, json.dumps(google_event()))])
    tenant = make_tenant(box, calendar_id="team@group.calendar.google.com", send_updates="all")
    provider.create_event(tenant, make_event())
    uri = mock.request_sequence[1][0]
    assert (
        uri == f"{API}/calendars/team%40group.calendar.google.com/events?sendUpdates=all&alt=json"
    )


def test_event_times_in_other_zone(box: SecretBox) -> None:
    provider, mock = provider_with(box, [TOKEN_OK, ({"status": "200"}, json.dumps(google_event()))])
    event = make_event(
        start=datetime(2026, 12, 1, 14, 0, tzinfo=timezone.utc),
        end=datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc),
        timezone="America/New_York",
    )
    provider.create_event(make_tenant(box), event)
    body = json.loads(mock.request_sequence[1][2])
    assert body["start"] == {
        "dateTime": "2026-12-01T09:00:00-05:00",
        "timeZone": "America/New_York",
    }
    assert body["end"] == {"dateTime": "2026-12-01T10:00:00-05:00", "timeZone": "America/New_York"}


def test_service_is_built_once_per_credential(
    box: SecretBox, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[dict] = []
    real_build = google_module.build

    def counting_build(*args: Any, **kwargs: Any) -> Any:
        built.append(kwargs)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(google_module, "build", counting_build)
    responses = [TOKEN_OK] + [({"status": "200"}, json.dumps(google_event()))] * 3
    provider, mock = provider_with(box, responses)
    tenant = make_tenant(box)
    provider.create_event(tenant, make_event())
    provider.create_event(tenant, make_event())
    assert len(built) == 1 and built[0]["static_discovery"] is True
    assert built[0]["client_options"] == {"api_endpoint": f"{API}/"}
    token_calls = [r for r in mock.request_sequence if r[0] == DEFAULT_TOKEN_URI]
    assert len(token_calls) == 1  # the access token is reused

    reconnected = make_tenant(box)  # a new refresh token (new ciphertext): new credential
    mock._iterable[:0] = [TOKEN_OK]
    provider.create_event(reconnected, make_event())
    assert len(built) == 2
    assert len(provider._clients) == 1  # the stale client of the tenant was dropped


def test_each_thread_gets_its_own_http(box: SecretBox) -> None:
    made: list[HttpMockSequence] = []

    def factory() -> HttpMockSequence:
        mock = HttpMockSequence([TOKEN_OK, ({"status": "200"}, json.dumps(google_event()))])
        made.append(mock)
        return mock

    config = GoogleConfig(client_id="c", client_secret="s")
    provider = GoogleCalendarProvider(config=config, http_factory=factory, secret_box=box)
    tenant = make_tenant(box)
    client = provider._client(tenant)
    seen: list[Any] = []

    def grab() -> None:
        seen.append(provider._http(client))
        seen.append(provider._http(client))

    threads = [threading.Thread(target=grab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 2
    assert seen[0] is seen[1] and seen[2] is seen[3] and seen[0] is not seen[2]
    assert seen[0].http is not seen[2].http


def test_retried_insert_409_fetches_existing(box: SecretBox) -> None:
    provider, mock = provider_with(
        box,
        [
            TOKEN_OK,
            (
                {"status": "409"},
                error_body(409, "duplicate", "The requested identifier already exists."),
            ),
            ({"status": "200"}, json.dumps(google_event())),
        ],
    )
    result = provider.create_event(make_tenant(box), make_event())
    assert result.provider_event_id == UID
    get_uri, get_method = mock.request_sequence[2][:2]
    assert (get_uri, get_method) == (f"{API}/calendars/primary/events/{UID}?alt=json", "GET")
    assert len(mock.request_sequence) == 3  # nothing else written


def test_409_with_deleted_or_stale_event_restores_it(box: SecretBox) -> None:
    stale = google_event(status="cancelled")
    provider, mock = provider_with(
        box,
        [
            TOKEN_OK,
            ({"status": "409"}, error_body(409, "duplicate")),
            ({"status": "200"}, json.dumps(stale)),
            ({"status": "200"}, json.dumps(google_event())),
        ],
    )
    provider.create_event(make_tenant(box), make_event())
    uri, method, body, _ = mock.request_sequence[3]
    assert (uri, method) == (
        f"{API}/calendars/primary/events/{UID}?sendUpdates=none&alt=json",
        "PATCH",
    )
    expected = {k: v for k, v in EXPECTED_BODY.items() if k != "id"} | {"status": "confirmed"}
    assert json.loads(body) == expected


def test_update_patches_summary_and_times(box: SecretBox) -> None:
    moved = google_event(
        start={"dateTime": "2026-07-03T10:00:00+01:00", "timeZone": "Europe/London"},
        end={"dateTime": "2026-07-03T10:45:00+01:00", "timeZone": "Europe/London"},
    )
    provider, mock = provider_with(box, [TOKEN_OK, ({"status": "200"}, json.dumps(moved))])
    event = make_event(
        provider_event_id=UID,
        start=datetime(2026, 7, 3, 10, 0, tzinfo=LONDON),
        end=datetime(2026, 7, 3, 10, 45, tzinfo=LONDON),
    )
    result = provider.update_event(make_tenant(box, send_updates="externalOnly"), event)
    assert result.link.endswith(UID)
    uri, method, body, _ = mock.request_sequence[1]
    assert (uri, method) == (
        f"{API}/calendars/primary/events/{UID}?sendUpdates=externalOnly&alt=json",
        "PATCH",
    )
    assert json.loads(body) == {
        "summary": "Haircut with Ann",
        "start": {"dateTime": "2026-07-03T10:00:00+01:00", "timeZone": "Europe/London"},
        "end": {"dateTime": "2026-07-03T10:45:00+01:00", "timeZone": "Europe/London"},
    }


@pytest.mark.parametrize("status", ["404", "410"])
def test_update_of_missing_event_is_permanent(box: SecretBox, status: str) -> None:
    provider, _ = provider_with(
        box, [TOKEN_OK, ({"status": status}, error_body(int(status), "notFound"))]
    )
    with pytest.raises(GoogleApiError) as info:
        provider.update_event(make_tenant(box), make_event(provider_event_id=UID))
    assert info.value.retryable is False and info.value.reason == "gone"


def test_delete_and_already_deleted(box: SecretBox) -> None:
    provider, mock = provider_with(
        box,
        [
            TOKEN_OK,
            ({"status": "204"}, ""),
            ({"status": "410"}, error_body(410, "deleted", "Resource has been deleted")),
            ({"status": "404"}, error_body(404, "notFound")),
        ],
    )
    tenant = make_tenant(box)
    for _ in range(3):
        provider.delete_event(tenant, make_event(provider_event_id=UID))
    uri, method = mock.request_sequence[1][:2]
    assert (uri, method) == (f"{API}/calendars/primary/events/{UID}?sendUpdates=none", "DELETE")


def test_get_event(box: SecretBox) -> None:
    provider, _ = provider_with(
        box,
        [
            TOKEN_OK,
            ({"status": "200"}, json.dumps(google_event(summary="Haircut (moved)"))),
            ({"status": "404"}, error_body(404, "notFound")),
        ],
    )
    tenant = make_tenant(box)
    seen = provider.get_event(tenant, UID)
    assert seen is not None
    assert seen.title == "Haircut (moved)" and seen.status == "confirmed"
    assert seen.start == datetime(2026, 7, 1, 14, 0, tzinfo=timezone.utc)
    assert seen.end - seen.start == timedelta(minutes=45)
    assert provider.get_event(tenant, "doesnotexist00") is None


def test_free_busy_query(box: SecretBox) -> None:
    answer = {
        "kind": "calendar#freeBusy",
        "timeMin": "2026-07-01T00:00:00.000Z",
        "timeMax": "2026-07-02T00:00:00.000Z",
        "calendars": {
            "primary": {
                "busy": [
                    {"start": "2026-07-01T09:00:00Z", "end": "2026-07-01T10:00:00Z"},
                    {"start": "2026-07-01T09:30:00Z", "end": "2026-07-01T11:00:00Z"},
                    {"start": "2026-06-30T23:00:00Z", "end": "2026-07-01T01:00:00Z"},
                ]
            }
        },
    }
    provider, mock = provider_with(box, [TOKEN_OK, ({"status": "200"}, json.dumps(answer))])
    start = datetime(2026, 7, 1, 0, 0, tzinfo=timezone.utc)
    busy = provider.free_busy(make_tenant(box), start, start + timedelta(days=1))
    assert busy == [
        (start, start + timedelta(hours=1)),  # clipped to the window
        (start + timedelta(hours=9), start + timedelta(hours=11)),  # merged
    ]
    uri, method, body, _ = mock.request_sequence[1]
    assert (uri, method) == (f"{API}/freeBusy?alt=json", "POST")
    assert json.loads(body) == {
        "timeMin": "2026-07-01T00:00:00Z",
        "timeMax": "2026-07-02T00:00:00Z",
        "timeZone": "UTC",
        "items": [{"id": "primary"}],
    }


def test_free_busy_calendar_error_flags_access(box: SecretBox) -> None:
    answer = {"calendars": {"primary": {"errors": [{"domain": "global", "reason": "notFound"}]}}}
    provider, _ = provider_with(box, [TOKEN_OK, ({"status": "200"}, json.dumps(answer))])
    start = datetime(2026, 7, 1, tzinfo=timezone.utc)
    with pytest.raises(GoogleCredentialsError):
        provider.free_busy(make_tenant(box), start, start + timedelta(hours=1))


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


def test_missing_oauth_client_config_is_not_the_tenants_fault(box: SecretBox) -> None:
    provider = GoogleCalendarProvider(
        config=GoogleConfig(), http_factory=lambda: None, secret_box=box
    )
    with pytest.raises(ProviderError, match="GOOGLE_OAUTH_CLIENT_ID") as info:
        provider.get_event(make_tenant(box), UID)
    assert not isinstance(info.value, GoogleCredentialsError)


class TimingOutHttp:
    """An httplib2.Http stand-in whose every request times out."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise TimeoutError("timed out")


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


def test_service_account_credentials(box: SecretBox) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "booking-test",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "booker@booking-test.iam.gserviceaccount.com",
        "client_id": "1234",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    tenant = make_tenant(box, calendar_id="shop@group.calendar.google.com")
    tenant.calendar_settings = {
        "google": {
            "service_account_info_enc": box.encrypt(json.dumps(info)),
            "calendar_id": "shop@group.calendar.google.com",
        }
    }
    mock = HttpMockSequence([TOKEN_OK, ({"status": "200"}, json.dumps(google_event()))])
    config = GoogleConfig(token_uri="http://127.0.0.1:9/token", token_uri_overridden=True)
    provider = GoogleCalendarProvider(config=config, http_factory=lambda: mock, secret_box=box)
    provider.create_event(tenant, make_event())
    token_uri, _, token_body, _ = mock.request_sequence[0]
    assert token_uri == "http://127.0.0.1:9/token"
    form = parse_qs(token_body.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert mock.request_sequence[1][0].startswith(
        f"{API}/calendars/shop%40group.calendar.google.com/events?"
    )


def test_config_from_env_and_endpoint_normalisation() -> None:
    config = GoogleConfig.from_env(
        {
            "GOOGLE_OAUTH_CLIENT_ID": "id",
            "GOOGLE_OAUTH_CLIENT_SECRET": "secret",
            "GOOGLE_OAUTH_TOKEN_URI": "http://127.0.0.1:8765/token",
            "GOOGLE_CALENDAR_API_ENDPOINT": "http://127.0.0.1:8765",
            "GOOGLE_HTTP_TIMEOUT_SECONDS": "2.5",
        }
    )
    assert config.api_endpoint == "http://127.0.0.1:8765/calendar/v3/"
    assert config.token_uri_overridden and config.timeout == 2.5
    default = GoogleConfig.from_env({})
    assert default.api_endpoint == f"{API}/" and default.token_uri == DEFAULT_TOKEN_URI
    custom = GoogleConfig.from_env({"GOOGLE_CALENDAR_API_ENDPOINT": "http://h:1/cal/v3"})
    assert custom.api_endpoint == "http://h:1/cal/v3/"
    with pytest.raises(ValueError, match="TIMEOUT"):
        GoogleConfig.from_env({"GOOGLE_HTTP_TIMEOUT_SECONDS": "soon"})


def test_endpoint_reaches_requests(box: SecretBox) -> None:
    mock = HttpMockSequence([TOKEN_OK, ({"status": "200"}, json.dumps(google_event()))])
    config = GoogleConfig(
        client_id="c", client_secret="s", api_endpoint="http://127.0.0.1:8765/calendar/v3/"
    )
    provider = GoogleCalendarProvider(config=config, http_factory=lambda: mock, secret_box=box)
    provider.create_event(make_tenant(box), make_event())
    assert mock.request_sequence[1][0] == (
        "http://127.0.0.1:8765/calendar/v3/calendars/primary/events?sendUpdates=none&alt=json"
    )


def test_registered_in_the_registry(box: SecretBox) -> None:
    assert get_provider(make_tenant(box)).name == "google"
