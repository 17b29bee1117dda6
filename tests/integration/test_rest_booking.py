"""End to end over the REST channel in the configurations the test conversations do not run:
production (PostgreSQL, two Rasa processes) and the tenant's calendar in Google (a stand-in),
with its outage. The dialogues themselves, on the `make run` defaults, are test conversations
(tests/conversations/, `make test-conversations`).

Real processes (`rasa run actions`, `rasa run`) on free loopback ports; the tests talk to
`POST /webhooks/rest/webhook` as a client would and check the event in the database.
"""

from __future__ import annotations

import subprocess
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import create_engine, text

from booking_core.crypto import generate_key
from tests.integration import clusters, servers
from tests.integration import google_calendar_standin as gs

pytestmark = pytest.mark.slow


def _connect_default_tenant_to_google(db_url: str, key: str) -> None:
    """What the admin API's Google connect stores: provider google, encrypted refresh token."""
    from booking_core.crypto import SecretBox
    from booking_core.db.models import Tenant
    from booking_core.db.session import dispose_engines, session_scope

    with session_scope(db_url) as session:
        tenant = session.query(Tenant).filter_by(slug="default").one()
        tenant.calendar_provider = "google"
        tenant.calendar_settings = {
            "google": {
                "refresh_token_enc": SecretBox([key]).encrypt(gs.GOOD_REFRESH),
                "calendar_id": "primary",
                "connected_at": "2026-01-01T09:00:00+00:00",
            }
        }
    dispose_engines(db_url)


@pytest.fixture(scope="module")
def google_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Action server and Rasa server on SQLite with the default tenant's calendar in Google
    (the stand-in on loopback)."""
    servers.require_model()
    work = tmp_path_factory.mktemp("e2e-google")
    db_url = f"sqlite:///{work / 'booking.db'}"
    google = gs.StandInState()
    google_server = ThreadingHTTPServer(("127.0.0.1", 0), gs.make_handler(google))
    threading.Thread(target=google_server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{google_server.server_address[1]}"
    env = {
        **clusters.base_env(),
        "DATABASE_URL": db_url,
        "SECRET_KEYS": generate_key(),
        "GOOGLE_CALENDAR_API_ENDPOINT": base,
        "GOOGLE_OAUTH_TOKEN_URI": f"{base}/token",
        "GOOGLE_OAUTH_CLIENT_ID": gs.CLIENT_ID,
        "GOOGLE_OAUTH_CLIENT_SECRET": gs.CLIENT_SECRET,
    }
    clusters.migrate(env)
    _connect_default_tenant_to_google(db_url, env["SECRET_KEYS"])
    credentials = work / "credentials.yml"
    credentials.write_text("connectors.rest.RestInput:\n")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        url, procs = servers.start_assistant(env, work, credentials)
        yield {"url": url, "db_url": db_url, "google": google, "env": env}
    finally:
        google_server.shutdown()
        google_server.server_close()
        servers.stop(procs)


@pytest.fixture(scope="module", params=["production", "google"])
def assistant(request: pytest.FixtureRequest) -> dict[str, Any]:
    """A running action server and Rasa server.

    production: the session's production cluster (app database and Rasa's SQLTrackerStore on
    the local PostgreSQL, RedisLockStore on the local Redis, two Rasa processes), shared with
    the fault tests; the conversations go to the process the crash test leaves alone.
    google: SQLite, with the tenant's calendar in a stand-in Google Calendar API on loopback
    (GOOGLE_CALENDAR_API_ENDPOINT, GOOGLE_OAUTH_TOKEN_URI), driven by the real client library;
    started once for this module (`google_assistant`), as it needs its own database.
    """
    # Sender ids are prefixed per run: the databases are shared with other tests.
    run = uuid.uuid4().hex[:8]
    if request.param == "google":
        return {**request.getfixturevalue("google_assistant"), "run": run}
    cluster = request.getfixturevalue("production_cluster")
    return {"url": cluster["urls"][1], "db_url": cluster["db_url"], "env": cluster["env"],
            "run": run, "google": None}  # fmt: skip


def say(assistant: dict[str, Any], sender: str, message: str) -> list[dict[str, Any]]:
    """One turn over the REST channel; returns the bot's messages."""
    token = assistant["env"].get("REST_CHANNEL_TOKEN")
    response = requests.post(
        f"{assistant['url']}/webhooks/rest/webhook",
        json={"sender": f"{assistant['run']}-{sender}", "message": message},
        headers={"Authorization": f"Bearer {token}"} if token else {},
        timeout=60,
    )
    response.raise_for_status()
    return list(response.json())


def texts(messages: list[dict[str, Any]]) -> str:
    return " | ".join(str(m.get("text", "")) for m in messages)


def test_all_in_one_booking_is_confirmed_and_stored(assistant: dict[str, Any]) -> None:
    today = datetime.now(ZoneInfo("Europe/London")).date()
    # "next wednesday": the Wednesday of next week, always inside default opening hours.
    wednesday = today + timedelta(days=7 - today.weekday() + 2)
    reply = say(
        assistant, "alice", "book a dentist appointment next wednesday at 3pm for 45 minutes"
    )
    summary = texts(reply)
    assert "Dentist appointment" in summary and "15:00-15:45" in summary, summary
    assert "Shall I book it?" in summary
    buttons = [b["title"] for m in reply for b in m.get("buttons", [])]
    assert buttons == ["Yes", "Change", "Cancel"]

    booked = texts(say(assistant, "alice", "yes"))
    assert booked.startswith("Booked: Dentist appointment"), booked
    google = assistant["google"]
    assert ("google.com/calendar/event" if google else ".ics") in booked

    engine = create_engine(assistant["db_url"], future=True)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.title, e.start, e.status, e.link FROM calendar_events e "
                "JOIN contacts c ON c.id = e.contact_id WHERE c.platform_user_id = :user"
            ),
            {"user": f"{assistant['run']}-alice"},
        ).all()
    assert len(rows) == 1
    title, start, status, link = rows[0]
    assert (title, status) == ("Dentist appointment", "confirmed")
    assert str(wednesday) in str(start) and link
    if google:
        [event] = [e for e in google.active().values() if e["summary"] == "Dentist appointment"]
        assert event["start"]["timeZone"] == "Europe/London" and link == event["htmlLink"]
    else:
        assert link.endswith(".ics")


def test_clash_offers_free_times_then_reschedule_and_cancel(assistant: dict[str, Any]) -> None:
    say(assistant, "erin", "book a massage next friday at 10am for 1 hour")
    assert texts(say(assistant, "erin", "yes")).startswith("Booked: Massage")
    clash = say(assistant, "frank", "book a facial next friday at 10am for 1 hour")
    assert "clashes with another appointment" in texts(clash), texts(clash)
    options = [b for m in clash for b in m.get("buttons", [])]
    assert 1 <= len(options) <= 3
    summary = texts(say(assistant, "frank", options[0]["payload"]))
    assert "Facial" in summary and "Shall I book it?" in summary, summary

    proposal = texts(say(assistant, "erin", "move my massage to next friday at 2pm"))
    assert proposal.startswith("Move Massage") and "14:00" in proposal, proposal
    assert texts(say(assistant, "erin", "yes")).startswith("Done: Massage")
    assert "14:00-15:00" in texts(say(assistant, "erin", "what's on my calendar next friday"))
    assert texts(say(assistant, "erin", "cancel my massage")).startswith("Cancel Massage")
    assert texts(say(assistant, "erin", "yes")).startswith("Cancelled: Massage")


def test_calendar_outage_is_saved_and_completed_later(
    google_assistant: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The built-in calendar cannot be down: Google stand-in only.
    assistant = {**google_assistant, "run": uuid.uuid4().hex[:8]}
    google = assistant["google"]
    say(assistant, "kim", "book a pedicure next thursday at 9am for 30 minutes")
    google.fail_next = [503] * 20  # an outage: free/busy and the insert retries all fail
    reply = texts(say(assistant, "kim", "yes"))
    assert "saved" in reply and "Pedicure" in reply, reply
    assert not [e for e in google.active().values() if e["summary"] == "Pedicure"]
    google.fail_next = []

    from booking_core.worker import complete_pending

    for name in ("SECRET_KEYS", "GOOGLE_CALENDAR_API_ENDPOINT", "GOOGLE_OAUTH_TOKEN_URI",
                 "GOOGLE_OAUTH_CLIENT_ID", "GOOGLE_OAUTH_CLIENT_SECRET"):  # fmt: skip
        monkeypatch.setenv(name, assistant["env"][name])
    # The worker's next pass, once its backoff after the failed attempts has run out.
    later = datetime.now(ZoneInfo("UTC")) + timedelta(hours=1)
    report = complete_pending(database_url=assistant["db_url"], now=later)
    assert report.completed == 1, report
    [event] = [e for e in google.active().values() if e["summary"] == "Pedicure"]
    engine = create_engine(assistant["db_url"], future=True)
    with engine.connect() as conn:
        status, link = conn.execute(
            text("SELECT status, link FROM calendar_events WHERE title = 'Pedicure'")
        ).one()  # the Google run has a fresh SQLite database
    assert (status, link) == ("confirmed", event["htmlLink"])
