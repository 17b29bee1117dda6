"""The public per-event `.ics` download."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from booking_core.db import repository as repo
from booking_core.db.session import session_scope
from tests.api.conftest import TenantData
from tests.booking_core.factories import book_event

START = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def client(db_settings: str):
    with TestClient(create_app(database_url=db_settings)) as client:
        yield client


def _booked(title: str = "Haircut, wash") -> str:
    result = book_event(
        tenant_slug=None,
        channel="rest",
        platform_user_id="u1",
        display_name=None,
        title=title,
        start=START,
        end=START + timedelta(minutes=45),
        timezone="Europe/London",
    )
    return result.uid


def test_ics_of_confirmed_event(client: TestClient) -> None:
    uid = _booked()
    response = client.get(f"/api/v1/events/{uid}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert f'filename="{uid}.ics"' in response.headers["content-disposition"]
    body = response.text
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    unfolded = body.replace("\r\n ", "")
    assert f"UID:{uid}\r\n" in unfolded
    assert "DTSTART:20261201T150000Z\r\n" in unfolded
    assert "DTEND:20261201T154500Z\r\n" in unfolded
    assert "SUMMARY:Haircut\\, wash\r\n" in unfolded
    assert "STATUS:CONFIRMED\r\n" in unfolded


def test_link_returned_by_booking_is_served(client: TestClient) -> None:
    uid = _booked()
    with session_scope() as session:
        event = repo.get_calendar_event_by_uid(session, uid=uid)
    assert event is not None and event.link is not None
    path = event.link.removeprefix("http://testserver")
    assert client.get(path).status_code == 200


def test_cancelled_event_is_served_as_cancelled(client: TestClient) -> None:
    uid = _booked()
    with session_scope() as session:
        event = repo.get_calendar_event_by_uid(session, uid=uid)
        assert event is not None
        repo.cancel_calendar_event(session, tenant_id=event.tenant_id, event_id=event.id)
    response = client.get(f"/api/v1/events/{uid}.ics")
    assert response.status_code == 200
    assert "STATUS:CANCELLED" in response.text


@pytest.mark.parametrize("uid", ["0123456789abcdefghijklmnop", "NOT-A-UID", "x" * 200, "zzzzz"])
def test_unknown_or_malformed_uid_is_404(client: TestClient, uid: str) -> None:
    response = client.get(f"/api/v1/events/{uid}.ics")
    assert response.status_code == 404
    assert response.json() == {"detail": "event not found"}


def test_pending_event_is_404(client: TestClient) -> None:
    with session_scope() as session:
        tenant = repo.ensure_default_tenant(session)
        event = repo.create_calendar_event(
            session,
            tenant_id=tenant.id,
            contact_id=None,
            title="Not yet",
            start=START,
            end=START + timedelta(hours=1),
            timezone="UTC",
            provider="builtin",
        )
    assert client.get(f"/api/v1/events/{event.uid}.ics").status_code == 404


def test_without_ics_suffix_is_404(client: TestClient) -> None:
    uid = _booked()
    assert client.get(f"/api/v1/events/{uid}").status_code == 404


def test_location_in_event_responses_ics_and_feed(
    client: TestClient, db_settings: str, tenant_a: TenantData
) -> None:
    place = "Flat 2; 2250 Oak Street, Springfield"
    with session_scope(db_settings) as session:
        event = repo.create_calendar_event(
            session,
            tenant_id=tenant_a.id,
            contact_id=tenant_a.contact_id,
            title="Coffee with the landlord",
            start=START + timedelta(days=1),
            end=START + timedelta(days=1, hours=1),
            timezone="Europe/London",
            provider="builtin",
            location=f" {place} ",
        )
        repo.confirm_calendar_event(
            session, event_id=event.id, provider_event_id=event.uid, link=None
        )
        event_id, uid = event.id, event.uid

    listed = client.get("/api/v1/events", headers=tenant_a.headers).json()["items"]
    assert [(e["id"], e["location"]) for e in listed] == [
        (tenant_a.event_id, None),
        (event_id, place),
    ]
    detail = client.get(f"/api/v1/events/{event_id}", headers=tenant_a.headers).json()
    assert detail["location"] == place
    expected = "LOCATION:Flat 2\\; 2250 Oak Street\\, Springfield\r\n"
    assert expected in client.get(f"/api/v1/events/{uid}.ics").text.replace("\r\n ", "")
    feed = client.get(f"/api/v1/feeds/{tenant_a.feed_token}.ics").text.replace("\r\n ", "")
    assert feed.count("LOCATION:") == 1 and expected in feed
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert schema["EventOut"]["properties"]["location"]["type"] == "string"
    assert "location" not in schema["EventOut"].get("required", [])
