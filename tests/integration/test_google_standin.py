"""The booking services against a stand-in Google Calendar server on loopback.

The stand-in (http.server in a thread) speaks the parts of Calendar API v3 the provider uses -
events insert/get/patch/delete and freeBusy, with Google's JSON shapes and error bodies - plus an
OAuth token endpoint. The real GoogleCalendarProvider (google-api-python-client, static discovery,
google-auth refresh) is pointed at it with GOOGLE_CALENDAR_API_ENDPOINT and GOOGLE_OAUTH_TOKEN_URI,
exactly as a deployment would be. Every scenario ends by checking that the database rows and the
stand-in's events agree.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

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

LONDON = ZoneInfo("Europe/London")
FAST = RetryPolicy(attempts=3, base_delay=0.0)
DAY = date(2030, 7, 1)  # a Monday
NOW = datetime(2030, 6, 28, 12, 0, tzinfo=LONDON)
CLIENT_ID = "1234-standin.apps.googleusercontent.com"
CLIENT_SECRET = "standin-secret"
GOOD_REFRESH = "1//good-refresh-token"
ID_PATTERN = re.compile(r"^[a-v0-9]{5,1024}$")
ANN = {"tenant_slug": "salon", "channel": "whatsapp", "platform_user_id": "447700900001"}


def at(hhmm: str, day: date = DAY) -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{hhmm}").replace(tzinfo=LONDON)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


def google_time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class StandInState:
    """What the stand-in holds and how it misbehaves next."""

    calendar: str = "salon.owner@example.com"
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=lambda: {GOOD_REFRESH})
    access_tokens: set[str] = field(default_factory=set)
    #: HTTP statuses answered instead of the next Calendar API calls (an outage).
    fail_next: list[int] = field(default_factory=list)
    #: Perform the next insert but answer 503, as if the response got lost.
    lose_next_insert_response: bool = False
    requests: list[tuple[str, str, dict[str, list[str]], Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_external(self, event_id: str, summary: str, start: datetime, end: datetime) -> None:
        """An event the business created in Google Calendar itself."""
        self.events[event_id] = self._event(
            {
                "id": event_id,
                "summary": summary,
                "start": {"dateTime": start.isoformat(), "timeZone": "Europe/London"},
                "end": {"dateTime": end.isoformat(), "timeZone": "Europe/London"},
            }
        )

    def _event(self, body: dict[str, Any]) -> dict[str, Any]:
        stamp = utcnow().strftime("%Y-%m-%dT%H:%M:%S.000Z")
        eid = base64.urlsafe_b64encode(f"{body['id']} {self.calendar}".encode()).decode()
        return {
            "kind": "calendar#event",
            "etag": f'"{len(self.events) + 1}"',
            "id": body["id"],
            "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={eid.rstrip('=')}",
            "created": stamp,
            "updated": stamp,
            "summary": body.get("summary", ""),
            "creator": {"email": self.calendar, "self": True},
            "organizer": {"email": self.calendar, "self": True},
            "start": body["start"],
            "end": body["end"],
            "iCalUID": f"{body['id']}@google.com",
            "sequence": 0,
            "reminders": {"useDefault": True},
            "eventType": "default",
        }

    def active(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.events.items() if v["status"] != "cancelled"}


def error(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"domain": "global", "reason": reason, "message": message}],
        }
    }


def make_handler(state: StandInState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Routes: POST /token, /calendar/v3/freeBusy, /calendar/v3/calendars/{id}/events[/{id}]."""

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, payload: Any = None) -> None:
            body = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            if payload is not None:
                self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _handle(self, method: str) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            raw = self._body()
            with state.lock:
                if url.path == "/token":
                    self._token(raw)
                    return
                body = json.loads(raw) if raw else None
                state.requests.append((method, url.path, query, body))
                auth = self.headers.get("Authorization", "")
                if auth.removeprefix("Bearer ") not in state.access_tokens:
                    self._send(401, error(401, "authError", "Invalid Credentials"))
                    return
                if state.fail_next:
                    status = state.fail_next.pop(0)
                    self._send(status, error(status, "backendError", "Backend Error"))
                    return
                self._api(method, url.path, query, body)

        def _token(self, raw: bytes) -> None:
            form = parse_qs(raw.decode())
            ok_client = form.get("client_id") == [CLIENT_ID] and form.get("client_secret") == [
                CLIENT_SECRET
            ]
            refresh = (form.get("refresh_token") or [""])[0]
            if form.get("grant_type") != ["refresh_token"] or not ok_client:
                self._send(401, {"error": "invalid_client", "error_description": "Unauthorized"})
            elif refresh not in state.refresh_tokens:
                self._send(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                )
            else:
                token = f"ya29.standin-{len(state.access_tokens) + 1}"
                state.access_tokens.add(token)
                self._send(
                    200,
                    {
                        "access_token": token,
                        "expires_in": 3599,
                        "scope": "https://www.googleapis.com/auth/calendar",
                        "token_type": "Bearer",
                    },
                )

        def _api(self, method: str, path: str, query: dict, body: Any) -> None:
            if path == "/calendar/v3/freeBusy" and method == "POST":
                self._free_busy(body)
                return
            match = re.fullmatch(r"/calendar/v3/calendars/([^/]+)/events(?:/([^/]+))?", path)
            if not match or unquote(match.group(1)) not in ("primary", state.calendar):
                self._send(404, error(404, "notFound", "Not Found"))
                return
            event_id = unquote(match.group(2)) if match.group(2) else None
            if event_id is None and method == "POST":
                self._insert(body)
            elif event_id is not None and method == "GET":
                found = state.events.get(event_id)
                self._send(200, found) if found else self._send(
                    404, error(404, "notFound", "Not Found")
                )
            elif event_id is not None and method == "PATCH":
                found = state.events.get(event_id)
                if found is None:
                    self._send(404, error(404, "notFound", "Not Found"))
                    return
                found.update(body)
                found["sequence"] += 1
                self._send(200, found)
            elif event_id is not None and method == "DELETE":
                found = state.events.get(event_id)
                if found is None:
                    self._send(404, error(404, "notFound", "Not Found"))
                elif found["status"] == "cancelled":
                    self._send(410, error(410, "deleted", "Resource has been deleted"))
                else:
                    found["status"] = "cancelled"
                    self._send(204)
            else:
                self._send(405, error(405, "methodNotAllowed", "Method Not Allowed"))

        def _insert(self, body: dict[str, Any]) -> None:
            event_id = body.get("id", "")
            if not ID_PATTERN.match(event_id):
                self._send(400, error(400, "invalid", "Invalid resource id value."))
            elif event_id in state.events:
                self._send(409, error(409, "duplicate", "The requested identifier already exists."))
            else:
                state.events[event_id] = state._event(body)
                if state.lose_next_insert_response:
                    state.lose_next_insert_response = False
                    self._send(503, error(503, "backendError", "Backend Error"))
                else:
                    self._send(200, state.events[event_id])

        def _free_busy(self, body: dict[str, Any]) -> None:
            low, high = parse_time(body["timeMin"]), parse_time(body["timeMax"])
            calendars: dict[str, Any] = {}
            for item in body.get("items", []):
                if item["id"] not in ("primary", state.calendar):
                    calendars[item["id"]] = {
                        "errors": [{"domain": "global", "reason": "notFound"}],
                        "busy": [],
                    }
                    continue
                busy = []
                for event in sorted(state.active().values(), key=lambda e: e["start"]["dateTime"]):
                    start = parse_time(event["start"]["dateTime"])
                    end = parse_time(event["end"]["dateTime"])
                    if start < high and end > low:
                        busy.append({"start": google_time(start), "end": google_time(end)})
                calendars[item["id"]] = {"busy": busy}
            self._send(
                200,
                {
                    "kind": "calendar#freeBusy",
                    "timeMin": google_time(low),
                    "timeMax": google_time(high),
                    "calendars": calendars,
                },
            )

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

    return Handler


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
