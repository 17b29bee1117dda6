"""Google event bodies (calendars/google_events.py) as the provider sends them: times in the
event's own zone.

Driven through HttpMockSequence with sockets blocked (see tests/booking_core/google_factories.py).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from booking_core.crypto import SecretBox
from tests.booking_core.google_factories import (
    TOKEN_OK,
    google_event,
    make_event,
    make_tenant,
    no_network,  # noqa: F401  (autouse: no real connection from this module)
    provider_with,
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
