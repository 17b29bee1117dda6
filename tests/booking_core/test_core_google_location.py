"""Google Calendar provider: an event's location in the insert, the 409 repair and the patch.

Same HttpMockSequence set-up as the other test_core_google* modules (sockets blocked, first
response = the token refresh; see tests/booking_core/google_factories.py).
"""

from __future__ import annotations

import json
from datetime import datetime

from booking_core.calendars.google_events import event_body
from booking_core.crypto import SecretBox
from tests.booking_core.google_factories import (
    API,
    INSERT_URI,
    LONDON,
    TOKEN_OK,
    UID,
    error_body,
    google_event,
    make_event,
    make_tenant,
    no_network,  # noqa: F401  (autouse: no real connection from this module either)
    provider_with,
)

PLACE = "2250 Oak Street, Springfield"
PATCH_URI = f"{API}/calendars/primary/events/{UID}?sendUpdates=none&alt=json"


def test_insert_body_carries_the_location(box: SecretBox) -> None:
    answer = json.dumps(google_event(location=PLACE))
    provider, mock = provider_with(box, [TOKEN_OK, ({"status": "200"}, answer)])
    provider.create_event(make_tenant(box), make_event(location=PLACE))
    uri, method, body, _ = mock.request_sequence[1]
    assert (uri, method) == (INSERT_URI, "POST")
    sent = json.loads(body)
    assert sent["location"] == PLACE
    assert (sent["id"], sent["summary"]) == (UID, "Haircut with Ann")


def test_no_location_sends_no_location_field() -> None:
    assert "location" not in event_body(make_event())
    assert "location" not in event_body(make_event(location=None))


def test_409_without_the_location_is_patched_with_it(box: SecretBox) -> None:
    """An earlier attempt's event lacks the place (or shows another): brought to the row."""
    provider, mock = provider_with(
        box,
        [
            TOKEN_OK,
            ({"status": "409"}, error_body(409, "duplicate")),
            ({"status": "200"}, json.dumps(google_event())),  # same times, no location
            ({"status": "200"}, json.dumps(google_event(location=PLACE))),
        ],
    )
    provider.create_event(make_tenant(box), make_event(location=PLACE))
    uri, method, body, _ = mock.request_sequence[3]
    assert (uri, method) == (PATCH_URI, "PATCH")
    assert json.loads(body)["location"] == PLACE


def test_409_with_the_location_is_reused(box: SecretBox) -> None:
    provider, mock = provider_with(
        box,
        [
            TOKEN_OK,
            ({"status": "409"}, error_body(409, "duplicate")),
            ({"status": "200"}, json.dumps(google_event(location=PLACE))),
        ],
    )
    provider.create_event(make_tenant(box), make_event(location=PLACE))
    assert len(mock.request_sequence) == 3  # no patch


def test_reschedule_patch_keeps_the_location(box: SecretBox) -> None:
    moved = google_event(
        start={"dateTime": "2026-07-03T10:00:00+01:00", "timeZone": "Europe/London"},
        end={"dateTime": "2026-07-03T10:45:00+01:00", "timeZone": "Europe/London"},
        location=PLACE,
    )
    provider, mock = provider_with(box, [TOKEN_OK, ({"status": "200"}, json.dumps(moved))])
    event = make_event(
        provider_event_id=UID,
        location=PLACE,
        start=datetime(2026, 7, 3, 10, 0, tzinfo=LONDON),
        end=datetime(2026, 7, 3, 10, 45, tzinfo=LONDON),
    )
    provider.update_event(make_tenant(box), event)
    uri, method, body, _ = mock.request_sequence[1]
    assert (uri, method) == (PATCH_URI, "PATCH")
    assert json.loads(body) == {
        "summary": "Haircut with Ann",
        "location": PLACE,
        "start": {"dateTime": "2026-07-03T10:00:00+01:00", "timeZone": "Europe/London"},
        "end": {"dateTime": "2026-07-03T10:45:00+01:00", "timeZone": "Europe/London"},
    }


def test_get_event_reads_the_location(box: SecretBox) -> None:
    provider, _ = provider_with(
        box,
        [
            TOKEN_OK,
            ({"status": "200"}, json.dumps(google_event(location=PLACE))),
            ({"status": "200"}, json.dumps(google_event())),
        ],
    )
    tenant = make_tenant(box)
    seen = provider.get_event(tenant, UID)
    assert seen is not None and seen.location == PLACE
    unplaced = provider.get_event(tenant, UID)
    assert unplaced is not None and unplaced.location is None
