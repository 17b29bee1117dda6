"""Builders for the Google Calendar provider tests (test_core_google*.py, test_calendar_writes.py).

The provider is driven through HttpMockSequence, with sockets blocked by the autouse `no_network`
fixture, which each such test module imports. The service is built from the discovery document
bundled with google-api-python-client (static discovery), so no response is queued for discovery:
the first queued response answers the OAuth token refresh, the next ones the Calendar API calls,
and `request_sequence` shows exactly what was sent.
"""

from __future__ import annotations

import json
import socket
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from googleapiclient.http import HttpMockSequence

from booking_core.calendars.google import GoogleCalendarProvider
from booking_core.calendars.google_config import GoogleConfig
from booking_core.crypto import SecretBox
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


class TimingOutHttp:
    """An httplib2.Http stand-in whose every request times out."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise TimeoutError("timed out")
