"""The booking services against a stand-in Google Calendar server on loopback.

The stand-in (tests/integration/google_calendar_standin.py, http.server in a thread) speaks the
parts of Calendar API v3 the provider uses - events insert/get/patch/delete and freeBusy, with
Google's JSON shapes and error bodies - plus an OAuth token endpoint. The real
GoogleCalendarProvider (google-api-python-client, static discovery, google-auth refresh) is pointed
at it with GOOGLE_CALENDAR_API_ENDPOINT and GOOGLE_OAUTH_TOKEN_URI, exactly as a deployment would
be. Every scenario ends by checking that the database rows and the stand-in's events agree.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from booking_core.availability import check_availability
from booking_core.booking import submit_booking
from booking_core.changes import cancel_event, reschedule_event
from booking_core.crypto import SecretBox, generate_key
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.session import session_scope
from booking_core.db.types import utcnow
from booking_core.lookup import agenda, find_contact_events
from booking_core.retry_policy import RetryPolicy
from booking_core.worker import complete_pending
from tests.integration.google_calendar_standin import (
    CLIENT_ID,
    CLIENT_SECRET,
    GOOD_REFRESH,
    LONDON,
    StandInState,
    at,
    make_handler,
    parse_time,
)

FAST = RetryPolicy(attempts=3, base_delay=0.0)
NOW = datetime(2030, 6, 28, 12, 0, tzinfo=LONDON)
ANN = {"tenant_slug": "salon", "channel": "whatsapp", "platform_user_id": "447700900001"}


@pytest.fixture
def standin() -> Iterator[tuple[StandInState, str]]:
    state = StandInState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def salon(
    db_settings: str, standin: tuple[StandInState, str], monkeypatch: pytest.MonkeyPatch
) -> StandInState:
    """Tenant "salon" connected to the stand-in with an encrypted OAuth refresh token."""
    state, base = standin
    key = generate_key()
    monkeypatch.setenv("SECRET_KEYS", key)
    monkeypatch.setenv("GOOGLE_CALENDAR_API_ENDPOINT", base)
    monkeypatch.setenv("GOOGLE_OAUTH_TOKEN_URI", f"{base}/token")
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("GOOGLE_HTTP_TIMEOUT_SECONDS", "5")
    with session_scope() as session:
        session.add(
            Tenant(
                name="Salon",
                slug="salon",
                timezone="Europe/London",
                calendar_provider="google",
                calendar_settings={
                    "google": {
                        "refresh_token_enc": SecretBox([key]).encrypt(GOOD_REFRESH),
                        "calendar_id": "primary",
                        "connected_at": "2030-06-01T09:00:00+00:00",
                    }
                },
            )
        )
    return state


def rows() -> list[CalendarEvent]:
    with session_scope() as session:
        return list(session.execute(select(CalendarEvent).order_by(CalendarEvent.id)).scalars())


def assert_consistent(state: StandInState) -> None:
    """Each confirmed row is one live stand-in event with its title and times, and vice versa."""
    ours = {r.uid: r for r in rows()}
    for event in rows():
        remote = state.events.get(event.provider_event_id or event.uid)
        if event.status == "confirmed":
            assert remote is not None and remote["status"] == "confirmed", event
            assert remote["summary"] == event.title
            assert parse_time(remote["start"]["dateTime"]) == event.start
            assert parse_time(remote["end"]["dateTime"]) == event.end
            assert remote["start"]["timeZone"] == event.timezone
            assert event.link == remote["htmlLink"] and event.provider_event_id == remote["id"]
        elif event.status == "cancelled" and event.owed_operation != "delete":
            assert remote is None or remote["status"] == "cancelled", event
    for event_id in state.active():
        if event_id in ours:
            assert ours[event_id].status in ("confirmed", "pending")


def book(title: str, start: datetime, end: datetime) -> Any:
    return submit_booking(
        **ANN,
        display_name="Ann",
        title=title,
        start=start,
        end=end,
        timezone="Europe/London",
        retry=FAST,
    )


def test_booking_with_clash_and_alternative(salon: StandInState) -> None:
    salon.add_external("staffmeeting0001", "Staff meeting", at("10:00"), at("11:00"))
    check = check_availability(**ANN, start=at("10:00"), end=at("11:00"), now=NOW, retry=FAST)
    assert check.checked and not check.available
    assert check.clashes == ("another appointment",)  # the business's event title stays private
    assert [s.start for s in check.alternatives] == [at("09:00"), at("11:00"), at("12:00")]

    picked = check.alternatives[1]  # the user taps "11:00"
    again = check_availability(**ANN, start=picked.start, end=picked.end, now=NOW, retry=FAST)
    assert again.available
    outcome = book("Haircut", picked.start, picked.end)
    assert outcome.outcome == "confirmed"
    uid = outcome.booking.uid
    assert outcome.booking.link == salon.events[uid]["htmlLink"]

    inserts = [r for r in salon.requests if r[0] == "POST" and r[1].endswith("/events")]
    assert len(inserts) == 1
    _, path, query, body = inserts[0]
    assert path == "/calendar/v3/calendars/primary/events" and query["sendUpdates"] == ["none"]
    assert body == {
        "id": uid,
        "summary": "Haircut",
        "start": {"dateTime": "2030-07-01T11:00:00+01:00", "timeZone": "Europe/London"},
        "end": {"dateTime": "2030-07-01T12:00:00+01:00", "timeZone": "Europe/London"},
    }
    # The same slot is now taken, and named for Ann since it is her own booking.
    taken = check_availability(**ANN, start=at("11:30"), end=at("12:00"), now=NOW, retry=FAST)
    assert taken.clashes == ("Haircut",)
    assert_consistent(salon)


def test_reschedule_agenda_and_cancel(salon: StandInState) -> None:
    booked = book("Dentist check-up", at("14:00"), at("14:30"))
    assert booked.outcome == "confirmed"
    (found,) = find_contact_events(
        "salon", "whatsapp", ANN["platform_user_id"], "dentist appointment"
    )
    friday = date(2030, 7, 5)
    new_start, new_end = at("10:00", friday), at("10:30", friday)
    assert check_availability(
        **ANN, start=new_start, end=new_end, now=NOW, exclude_event_id=found.event_id, retry=FAST
    ).available
    moved = reschedule_event(
        **ANN, event_id=found.event_id, new_start=new_start, new_end=new_end, now=NOW, retry=FAST
    )
    assert moved.outcome == "done" and moved.previous_start == at("14:00")
    remote = salon.events[booked.booking.uid]
    assert remote["start"] == {"dateTime": "2030-07-05T10:00:00+01:00", "timeZone": "Europe/London"}
    patch = [r for r in salon.requests if r[0] == "PATCH"][-1]
    assert patch[2]["sendUpdates"] == ["none"] and set(patch[3]) == {"summary", "start", "end"}
    assert_consistent(salon)

    day = agenda(**ANN, day_start=at("00:00", friday), day_end=at("23:59", friday), retry=FAST)
    assert day.verified and [e.title for e in day.events] == ["Dentist check-up"]
    assert agenda(**ANN, day_start=at("00:00"), day_end=at("23:59"), retry=FAST).events == ()

    # The business renames it in Google Calendar: the agenda shows (and stores) the new title.
    remote["summary"] = "Dentist check-up (Dr Lee)"
    day = agenda(**ANN, day_start=at("00:00", friday), day_end=at("23:59", friday), retry=FAST)
    assert [e.title for e in day.events] == ["Dentist check-up (Dr Lee)"]
    assert_consistent(salon)

    cancelled = cancel_event(**ANN, event_id=found.event_id, retry=FAST)
    assert cancelled.outcome == "done"
    assert salon.events[booked.booking.uid]["status"] == "cancelled"
    assert rows()[0].status == "cancelled"
    assert find_contact_events("salon", "whatsapp", ANN["platform_user_id"]) == []
    assert_consistent(salon)


def test_outage_completes_later(salon: StandInState) -> None:
    salon.fail_next = [503, 503, 503]
    outcome = book("Massage", at("15:00"), at("16:00"))
    assert outcome.outcome == "deferred" and outcome.saved
    assert salon.active() == {}
    (pending,) = rows()
    assert pending.status == "pending"
    # Others cannot take the slot meanwhile.
    bob = {**ANN, "platform_user_id": "447700900002"}
    assert check_availability(**bob, start=at("15:00"), end=at("16:00"), now=NOW).clashes == (
        "another appointment",
    )
    assert_consistent(salon)

    report = complete_pending(now=utcnow() + timedelta(minutes=5))
    assert report.completed == 1
    (done,) = rows()
    assert done.status == "confirmed" and list(salon.active()) == [done.uid]
    assert_consistent(salon)


def test_lost_insert_response_never_duplicates(salon: StandInState) -> None:
    salon.lose_next_insert_response = True
    outcome = book("Massage", at("15:00"), at("16:00"))
    assert outcome.outcome == "confirmed"
    assert list(salon.active()) == [outcome.booking.uid]
    methods = [(r[0], r[1].rsplit("/", 1)[-1]) for r in salon.requests]
    assert methods == [("POST", "events"), ("POST", "events"), ("GET", outcome.booking.uid)]
    assert_consistent(salon)


def test_outage_during_reschedule_and_cancel(salon: StandInState) -> None:
    first = book("Dentist", at("10:00"), at("10:30"))
    second = book("Haircut", at("12:00"), at("12:30"))
    salon.fail_next = [503] * 6
    moved = reschedule_event(
        **ANN,
        event_id=first.booking.event_id,
        new_start=at("16:00"),
        new_end=at("16:30"),
        now=NOW,
        retry=FAST,
    )
    dropped = cancel_event(**ANN, event_id=second.booking.event_id, retry=FAST)
    assert (moved.outcome, dropped.outcome) == ("deferred", "deferred")
    assert complete_pending(now=utcnow() + timedelta(minutes=5)).completed == 2
    assert salon.events[first.booking.uid]["start"]["dateTime"] == "2030-07-01T16:00:00+01:00"
    assert salon.events[second.booking.uid]["status"] == "cancelled"
    assert [r.status for r in rows()] == ["confirmed", "cancelled"]
    assert_consistent(salon)


def test_revoked_credentials_flag_tenant_and_recover(salon: StandInState) -> None:
    salon.refresh_tokens.clear()  # the owner revoked access in their Google account
    outcome = book("Massage", at("15:00"), at("16:00"))
    assert outcome.outcome == "needs_reauth" and outcome.saved
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "salon")).scalar_one()
        section = tenant.calendar_settings["google"]
        assert section["needs_reauth"] is True and "invalid_grant" in section["reauth_reason"]
    (pending,) = rows()
    assert pending.status == "pending" and salon.events == {}
    assert complete_pending(now=utcnow() + timedelta(minutes=5)).waiting_reauth == 1

    # The admin reconnects: a new refresh token replaces the section (clearing the flag).
    salon.refresh_tokens.add("1//reconnected")
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "salon")).scalar_one()
        tenant.calendar_settings = {
            "google": {
                "refresh_token_enc": SecretBox.from_env().encrypt("1//reconnected"),
                "calendar_id": "primary",
                "connected_at": "2030-06-29T09:00:00+00:00",
            }
        }
    assert complete_pending(now=utcnow() + timedelta(minutes=5)).completed == 1
    assert rows()[0].status == "confirmed"
    assert_consistent(salon)
