"""book_event: the booking service the action server calls."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from booking_core.booking import BookingResult
from booking_core.calendars import registry
from booking_core.calendars.base import ProviderError, ProviderResult
from booking_core.db import repository as repo
from booking_core.db.models import CalendarEvent, Contact, Tenant
from booking_core.db.session import session_scope
from booking_core.errors import UnknownTenantError
from tests.booking_core.factories import BookingError, book_event

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 7, 1, 15, 0, tzinfo=LONDON)


def _book(**overrides: object) -> BookingResult:
    kwargs: dict[str, object] = {
        "tenant_slug": None,
        "channel": "rest",
        "platform_user_id": "user-1",
        "display_name": "Ann",
        "title": "Haircut",
        "start": START,
        "end": START + timedelta(minutes=30),
        "timezone": "Europe/London",
    }
    kwargs.update(overrides)
    return book_event(**kwargs)  # type: ignore[arg-type]


def _count(model: type) -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model)))


def test_books_and_confirms(db_settings: str) -> None:
    result = _book()
    assert result.status == "confirmed"
    assert result.link == f"http://testserver/api/v1/events/{result.uid}.ics"
    assert result.start == START and result.start.tzinfo is not None
    assert result.start.utcoffset() == timedelta(hours=1)  # shown in the event's zone (BST)
    assert result.end - result.start == timedelta(minutes=30)
    with session_scope() as session:
        tenant = repo.get_tenant_by_slug(session, slug="default")
        assert tenant is not None
        event = repo.get_calendar_event(session, tenant_id=tenant.id, event_id=result.event_id)
        assert event is not None
        assert (event.status, event.provider, event.provider_event_id) == (
            "confirmed",
            "builtin",
            result.uid,
        )
        assert event.start == START.astimezone(timezone.utc)
        contact = session.get(Contact, event.contact_id)
        assert contact is not None
        assert (contact.channel, contact.platform_user_id, contact.display_name) == (
            "rest",
            "user-1",
            "Ann",
        )


def test_location_stored_and_read_back(db_settings: str) -> None:
    """On SQLite and PostgreSQL: stripped, kept verbatim (commas, line breaks), empty = none."""
    place = "Flat 2; 2250 Oak Street,\nSpringfield"
    placed = _book(location=f"  {place} \n")
    assert placed.location == place
    longest = _book(platform_user_id="user-2", location="x" * 200)
    blank = _book(platform_user_id="user-3", location="   ")
    unplaced = _book(platform_user_id="user-4")
    assert (blank.location, unplaced.location) == (None, None)
    with session_scope() as session:
        stored = session.execute(text("SELECT id, location FROM calendar_events ORDER BY id")).all()
    assert [tuple(r) for r in stored] == [
        (placed.event_id, place),
        (longest.event_id, "x" * 200),
        (blank.event_id, None),
        (unplaced.event_id, None),
    ]
    with session_scope() as session:
        event = session.get(CalendarEvent, placed.event_id)
        assert event is not None and event.location == place


def test_retry_is_idempotent(db_settings: str) -> None:
    first = _book()
    again = _book(title="  haircut ")  # same request, retried (whitespace/case normalised)
    assert again.event_id == first.event_id and again.uid == first.uid
    assert _count(CalendarEvent) == 1
    other_time = _book(start=START + timedelta(hours=1), end=START + timedelta(hours=2))
    assert other_time.event_id != first.event_id
    other_user = _book(platform_user_id="user-2")
    assert other_user.event_id != first.event_id
    assert _count(CalendarEvent) == 3


def test_rebook_after_cancel_creates_new_event(db_settings: str) -> None:
    first = _book()
    with session_scope() as session:
        tenant = repo.get_tenant_by_slug(session, slug="default")
        assert tenant is not None
        repo.cancel_calendar_event(session, tenant_id=tenant.id, event_id=first.event_id)
    assert _book().event_id != first.event_id


def test_concurrent_identical_requests_make_one_event(db_settings: str) -> None:
    _book(platform_user_id="warm-up")  # default tenant exists before the race
    workers = 4
    barrier = threading.Barrier(workers)
    results: list[BookingResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(_book())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len({r.event_id for r in results}) == 1
    assert _count(CalendarEvent) == 2


def test_named_tenant(db_settings: str) -> None:
    with session_scope() as session:
        session.add(Tenant(name="Salon", slug="salon", timezone="America/New_York"))
    result = _book(tenant_slug="salon", timezone="America/New_York")
    with session_scope() as session:
        event = session.get(CalendarEvent, result.event_id)
        assert event is not None
        tenant = repo.get_tenant(session, tenant_id=event.tenant_id)
        assert tenant is not None and tenant.slug == "salon"
    with pytest.raises(UnknownTenantError):
        _book(tenant_slug="nobody")


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"start": datetime(2026, 7, 1, 15, 0)}, "timezone-aware"),
        ({"end": START}, "after"),
        ({"timezone": "Nowhere/Land"}, "IANA"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 300}, "longer"),
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"location": "x" * 201}, "location is longer than 200"),
        ({"location": "Oak Street\x00"}, "control characters"),
    ],
)
def test_invalid_requests(db_settings: str, overrides: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _book(**overrides)
    assert _count(CalendarEvent) == 0


class FlakyProvider:
    """Fails the first `failures` calls, then behaves like a provider with client-side ids."""

    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.created: list[str] = []

    def create_event(self, tenant, event) -> ProviderResult:
        if self.failures:
            self.failures -= 1
            raise ProviderError("503 from upstream", retryable=True)
        self.created.append(event.uid)
        return ProviderResult(provider_event_id=f"ext-{event.uid}", link="https://cal/x")


def test_provider_failure_then_retry(db_settings: str, monkeypatch: pytest.MonkeyPatch) -> None:
    provider = FlakyProvider(failures=1)
    factories = {**registry._FACTORIES, "flaky": lambda tenant, url: provider}
    monkeypatch.setattr(registry, "_FACTORIES", factories)
    with session_scope() as session:
        session.add(Tenant(name="Flaky", slug="flaky", calendar_provider="flaky"))

    with pytest.raises(BookingError) as info:
        _book(tenant_slug="flaky")
    assert info.value.retryable is True
    with session_scope() as session:
        failed = session.get(CalendarEvent, info.value.event_id)
        assert failed.status == "failed" and "503" in failed.error

    result = _book(tenant_slug="flaky")
    assert result.event_id == info.value.event_id
    assert (result.status, result.link) == ("confirmed", "https://cal/x")
    assert provider.created == [result.uid]  # same uid sent again: provider-side idempotent
    with session_scope() as session:
        event = session.get(CalendarEvent, result.event_id)
        assert (event.provider_event_id, event.error) == (f"ext-{result.uid}", None)
