"""A stand-in Google Calendar server for loopback tests (tests/integration/test_google_standin.py,
test_rest_booking.py).

It speaks the parts of Calendar API v3 the provider uses - events insert/get/patch/delete and
freeBusy, with Google's JSON shapes and error bodies - plus an OAuth token endpoint. Serve
`make_handler(StandInState())` with http.server on 127.0.0.1 and point GOOGLE_CALENDAR_API_ENDPOINT
and GOOGLE_OAUTH_TOKEN_URI at it. `at` gives a London time on DAY; `parse_time` and `google_time`
read and write Google's UTC timestamps.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from booking_core.db.types import utcnow

LONDON = ZoneInfo("Europe/London")
DAY = date(2030, 7, 1)  # a Monday
CLIENT_ID = "1234-standin.apps.googleusercontent.com"
CLIENT_SECRET = "standin-secret"
GOOD_REFRESH = "1//good-refresh-token"
ID_PATTERN = re.compile(r"^[a-v0-9]{5,1024}$")


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
