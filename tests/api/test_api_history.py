"""History: contacts and messages with filters and cursor pagination, transcripts, events,
event detail with its messages, and the iCalendar feed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from booking_core.db import repository as repo
from booking_core.db.session import session_scope
from tests.api.conftest import START, TenantData

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def chat(db_settings: str, tenant_a: TenantData) -> list[int]:
    """25 messages of two WhatsApp contacts, one a minute from T0 (alternating in/out)."""
    ids = []
    with session_scope(db_settings) as session:
        ann = repo.upsert_contact(
            session,
            tenant_id=tenant_a.id,
            channel="whatsapp",
            platform_user_id="447700900001",
            display_name="Ann 50% Off",
        )
        bob = repo.upsert_contact(
            session,
            tenant_id=tenant_a.id,
            channel="whatsapp",
            platform_user_id="447700900002",
            display_name="Bob",
        )
        session.flush()
        for i in range(25):
            contact = ann if i % 5 else bob
            message = repo.record_message(
                session,
                tenant_id=tenant_a.id,
                contact_id=contact.id,
                channel="whatsapp",
                direction="in" if i % 2 == 0 else "out",
                text=f"message {i} about haircut_{i}",
                platform_message_id=f"wamid.{i}",
            )
            assert message is not None
            message.created_at = T0 + timedelta(minutes=i)
            ids.append(message.id)
    return ids


def _pages(client: TestClient, path: str, headers: dict, **params: object) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        query = dict(params) | ({"cursor": cursor} if cursor else {})
        response = client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return pages


def test_messages_newest_first_in_pages(
    client: TestClient, tenant_a: TenantData, chat: list[int]
) -> None:
    pages = _pages(client, "/api/v1/messages", tenant_a.headers, channel="whatsapp", limit=10)
    assert [len(p) for p in pages] == [10, 10, 5]
    ids = [m["id"] for page in pages for m in page]
    assert ids == list(reversed(chat))


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"direction": "in", "channel": "whatsapp"}, 13),
        ({"direction": "out", "channel": "whatsapp"}, 12),
        ({"since": "2026-11-20T09:10:00Z", "until": "2026-11-20T09:15:00Z"}, 5),
        ({"since": "2026-11-20T09:10:00", "channel": "whatsapp"}, 15),  # no offset: UTC
        ({"since": "2026-11-20T10:10:00+01:00", "channel": "whatsapp"}, 15),
        ({"q": "HAIRCUT_1", "channel": "whatsapp"}, 11),  # haircut_1, haircut_10..19
        ({"q": "haircut_1%"}, 0),  # wildcards are literal
        ({"channel": "instagram"}, 0),
    ],
)
def test_message_filters(
    client: TestClient, tenant_a: TenantData, chat: list[int], params: dict, expected: int
) -> None:
    response = client.get(
        "/api/v1/messages", params=params | {"limit": 200}, headers=tenant_a.headers
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == expected


def test_contact_filter_and_search(
    client: TestClient, tenant_a: TenantData, chat: list[int]
) -> None:
    contacts = client.get(
        "/api/v1/contacts", params={"channel": "whatsapp"}, headers=tenant_a.headers
    ).json()["items"]
    assert [c["display_name"] for c in contacts] == ["Bob", "Ann 50% Off"]  # newest first
    found = client.get("/api/v1/contacts", params={"q": "50%"}, headers=tenant_a.headers)
    assert [c["display_name"] for c in found.json()["items"]] == ["Ann 50% Off"]
    by_id = client.get("/api/v1/contacts", params={"q": "900002"}, headers=tenant_a.headers)
    assert [c["display_name"] for c in by_id.json()["items"]] == ["Bob"]
    pages = _pages(client, "/api/v1/contacts", tenant_a.headers, limit=1)
    assert len(pages) == 3  # Bob, Ann and the fixture's Telegram user
    bob = contacts[0]["id"]
    only_bob = client.get(
        "/api/v1/messages", params={"contact_id": bob}, headers=tenant_a.headers
    ).json()["items"]
    assert len(only_bob) == 5 and {m["contact_id"] for m in only_bob} == {bob}


def test_transcript_in_order(client: TestClient, tenant_a: TenantData, chat: list[int]) -> None:
    ann = client.get("/api/v1/contacts", params={"q": "Ann"}, headers=tenant_a.headers).json()[
        "items"
    ][0]
    pages = _pages(client, f"/api/v1/contacts/{ann['id']}/messages", tenant_a.headers, limit=7)
    texts = [m["text"] for page in pages for m in page]
    assert texts == [f"message {i} about haircut_{i}" for i in range(25) if i % 5]
    one = client.get(f"/api/v1/contacts/{ann['id']}", headers=tenant_a.headers)
    assert one.json()["platform_user_id"] == "447700900001"


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "!!!"},
        {"cursor": "bm90LWEtY3Vyc29y"},  # base64 of "not-a-cursor"
        {"limit": 0},
        {"limit": 201},
        {"direction": "sideways"},
        {"channel": "fax"},
        {"since": "yesterday"},
        {"contact_id": 0},
        {"contact_id": 2**40},
        {"q": "x" * 201},
    ],
)
def test_bad_query_is_4xx(client: TestClient, tenant_a: TenantData, params: dict) -> None:
    response = client.get("/api/v1/messages", params=params, headers=tenant_a.headers)
    assert 400 <= response.status_code < 500, response.text


def test_events_list_filters_and_detail(
    client: TestClient, db_settings: str, tenant_a: TenantData
) -> None:
    with session_scope(db_settings) as session:
        for day in range(1, 4):
            event = repo.create_calendar_event(
                session,
                tenant_id=tenant_a.id,
                contact_id=tenant_a.contact_id,
                title=f"Colour {day}",
                start=START + timedelta(days=day),
                end=START + timedelta(days=day, hours=1),
                timezone="Europe/London",
                provider="builtin",
            )
        repo.cancel_calendar_event(session, tenant_id=tenant_a.id, event_id=event.id)
    everything = client.get("/api/v1/events", headers=tenant_a.headers).json()["items"]
    assert [e["title"] for e in everything] == ["Haircut alpha", "Colour 1", "Colour 2", "Colour 3"]
    pages = _pages(client, "/api/v1/events", tenant_a.headers, limit=3)
    assert [len(p) for p in pages] == [3, 1]
    cancelled = client.get(
        "/api/v1/events", params={"status": "cancelled"}, headers=tenant_a.headers
    ).json()["items"]
    assert [e["title"] for e in cancelled] == ["Colour 3"]
    window = client.get(
        "/api/v1/events",
        params={"start_from": "2026-12-02T00:00:00Z", "start_before": "2026-12-03T00:00:00Z"},
        headers=tenant_a.headers,
    ).json()["items"]
    assert [e["title"] for e in window] == ["Colour 1"]
    search = client.get("/api/v1/events", params={"q": "colour"}, headers=tenant_a.headers)
    assert len(search.json()["items"]) == 3

    detail = client.get(f"/api/v1/events/{tenant_a.event_id}", headers=tenant_a.headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "confirmed" and body["uid"] == tenant_a.event_uid
    assert body["ics_url"].endswith(f"/api/v1/events/{tenant_a.event_uid}.ics")
    assert body["requested_message"]["text"] == "book a haircut for alpha"
    assert body["confirmed_message"]["text"] == "Booked!"
    assert [m["id"] for m in body["messages"]] == tenant_a.message_ids
    assert client.get("/api/v1/events/999999", headers=tenant_a.headers).status_code == 404
    # The public .ics route is untouched by the tenant routes.
    assert client.get(f"/api/v1/events/{tenant_a.event_uid}.ics").status_code == 200
    assert client.get("/api/v1/events/123").status_code == 401


def test_feed(
    client: TestClient, db_settings: str, tenant_a: TenantData, tenant_b: TenantData
) -> None:
    with session_scope(db_settings) as session:
        repo.create_calendar_event(  # pending: not published
            session,
            tenant_id=tenant_a.id,
            contact_id=None,
            title="Pending, not shown",
            start=START + timedelta(days=1),
            end=START + timedelta(days=1, hours=1),
            timezone="UTC",
            provider="builtin",
        )
    feed_url = client.get("/api/v1/feed", headers=tenant_a.headers).json()["feed_url"]
    assert feed_url == f"http://testserver/api/v1/feeds/{tenant_a.feed_token}.ics"
    path = feed_url.removeprefix("http://testserver")
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    body = response.text
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 1 and f"UID:{tenant_a.event_uid}\r\n" in body
    assert "X-WR-CALNAME:Alpha\r\n" in body and "Pending" not in body
    assert tenant_b.event_uid not in body and "bravo" not in body.lower()
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))

    rotated = client.post("/api/v1/feed/rotate", headers=tenant_a.headers).json()["feed_url"]
    assert rotated != feed_url
    assert client.get(path).status_code == 404
    assert client.get(rotated.removeprefix("http://testserver")).status_code == 200
    assert client.get("/api/v1/feeds/short.ics").status_code == 404
    assert client.get("/api/v1/feeds/" + "x" * 43 + ".ics").status_code == 404
