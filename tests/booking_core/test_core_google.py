"""Google Calendar provider (calendars/google.py): token refresh, event CRUD, the 409 repair,
clients per credential and thread, and free/busy.

Driven through HttpMockSequence with sockets blocked (see tests/booking_core/google_factories.py).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

import pytest
from googleapiclient.http import HttpMockSequence

from booking_core.calendars import google as google_module
from booking_core.calendars.google import GoogleCalendarProvider
from booking_core.calendars.google_config import DEFAULT_TOKEN_URI, GoogleConfig
from booking_core.calendars.google_errors import GoogleApiError, GoogleCredentialsError
from booking_core.calendars.registry import get_provider
from booking_core.crypto import SecretBox
from tests.booking_core.google_factories import (
    API,
    EXPECTED_BODY,
    INSERT_URI,
    LONDON,
    TOKEN_OK,
    UID,
    error_body,
    google_event,
    make_event,
    make_tenant,
    no_network,  # noqa: F401  (autouse: no real connection from this module)
    provider_with,
)


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


def test_registered_in_the_registry(box: SecretBox) -> None:
    assert get_provider(make_tenant(box)).name == "google"
