"""End to end over the REST channel for a business with services and booking rules: a named
service books straight to a priced summary, an unknown request is offered the services, a
buffer and "how far ahead" refuse with the rule and free times, questions are answered from
the business's data, and a late cancel gets the cut-off with the business's phone.

Its own action server and Rasa server on a fresh SQLite database (the shared one serves tenants
without services), the trained model, the real clock (dates are computed, always weekdays).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from tests.integration import clusters, servers

pytestmark = pytest.mark.slow
LONDON = ZoneInfo("Europe/London")


def _next_wednesday() -> date:
    today = datetime.now(LONDON).date()
    return today + timedelta(days=7 - today.weekday() + 2)


def _seed(db_url: str) -> None:
    from booking_core.db.repository import create_service, ensure_default_tenant
    from booking_core.db.session import dispose_engines, session_scope

    with session_scope(db_url) as session:
        tenant = ensure_default_tenant(session)
        tenant.booking_rules = {"max_advance_days": 60, "change_cutoff_hours": 24 * 30}
        tenant.address = "1 High Street, Bristol"
        tenant.map_url = "https://maps.example/salon"
        tenant.phone = "+44 117 496 0000"
        create_service(session, tenant_id=tenant.id, name="Haircut", duration_minutes=30,
                       synonyms=["cut", "trim"], price_cents=2500, currency="GBP",
                       buffer_after_minutes=10)  # fmt: skip
        create_service(session, tenant_id=tenant.id, name="Massage", duration_minutes=60,
                       price_cents=5000, currency="GBP", duration_flexible=True)  # fmt: skip
    dispose_engines(db_url)


@pytest.fixture(scope="module")
def salon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    servers.require_model()
    work = tmp_path_factory.mktemp("e2e-services")
    db_url = f"sqlite:///{work / 'booking.db'}"
    env = {**clusters.base_env(), "DATABASE_URL": db_url}
    clusters.migrate(env)
    _seed(db_url)
    credentials = work / "credentials.yml"
    credentials.write_text("connectors.rest.RestInput:\n")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        url, procs = servers.start_assistant(env, work, credentials)
        yield {"url": url, "db_url": db_url}
    finally:
        servers.stop(procs)


def say(salon: dict[str, Any], sender: str, message: str) -> tuple[str, list[str]]:
    """One REST turn: the bot's texts joined, and its button titles."""
    response = requests.post(f"{salon['url']}/webhooks/rest/webhook",
                             json={"sender": sender, "message": message}, timeout=60)  # fmt: skip
    response.raise_for_status()
    messages = response.json()
    text = " | ".join(str(m.get("text", "")) for m in messages)
    return text, [b["title"] for m in messages for b in m.get("buttons", [])]


def test_a_named_service_books_with_its_length_and_price(salon: dict[str, Any]) -> None:
    text, buttons = say(salon, "ann", "can I book a haircut next wednesday at 3pm")
    assert "Haircut, Wed" in text and "15:00-15:30" in text and "\u00a325.00" in text, text
    assert buttons == ["Yes", "Change", "Cancel"]
    text, _ = say(salon, "ann", "yes")
    assert text.startswith("Booked: Haircut"), text
    from booking_core.db.models import CalendarEvent
    from booking_core.db.session import session_scope

    with session_scope(salon["db_url"]) as session:
        event = session.execute(select(CalendarEvent)).scalars().one()
        kept = (event.title, event.price_cents, event.currency, event.buffer_after_minutes)
    assert kept == ("Haircut", 2500, "GBP", 10)

    # Right after it, the haircut's ten minutes of clean-up are busy: the rule and free times.
    text, buttons = say(salon, "bob", "book a massage next wednesday at 3:30pm")
    assert "Sorry, it leaves too little time between appointments." in text, text
    assert buttons and all(not b.endswith(("15:00", "15:30")) for b in buttons), buttons

    # Ann's haircut is inside the 30-day cut-off: no cancel, the business's phone instead.
    text, _ = say(salon, "ann", "cancel my haircut")
    assert "only up to 30 days before they start" in text and "+44 117 496 0000" in text, text


def test_an_unknown_request_is_offered_the_services(salon: dict[str, Any]) -> None:
    text, buttons = say(salon, "cat", "book a dentist appointment next wednesday at 10am")
    assert "What would you like to book? We offer:" in text, text
    assert buttons == ["Haircut (\u00a325.00)", "Massage (\u00a350.00)"]
    text, buttons = say(salon, "cat", "Massage")
    assert "Massage, Wed" in text and "10:00-11:00" in text and "\u00a350.00" in text, text
    assert "Nothing was booked" in say(salon, "cat", "stop")[0]


def test_too_far_ahead_is_refused_with_the_rule(salon: dict[str, Any]) -> None:
    day = _next_wednesday() + timedelta(weeks=12)
    text, buttons = say(salon, "dan", f"book a haircut on {day:%A %d %B %Y} at 11am")
    assert "bookings open at most 60 days ahead" in text, text
    assert buttons, text


def test_questions_are_answered_from_the_business_data(salon: dict[str, Any]) -> None:
    text, buttons = say(salon, "eve", "how much is a massage?")
    assert text == "A massage is \u00a350.00 (1 hour).", text
    assert buttons == ["Book Massage"]
    text, _ = say(salon, "eve", "where are you?")
    assert text == "We're at 1 High Street, Bristol. https://maps.example/salon", text
    text, _ = say(salon, "eve", "when are you open?")
    assert text == "We're open Monday to Friday 09:00-17:00.", text
    text, _ = say(salon, "eve", '/schedule_event{"event_title": "Massage"}')  # the button
    assert text == "Which day would you like?", text
