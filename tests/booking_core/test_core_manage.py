"""manage: availability, finding, rescheduling, cancelling and the agenda, on SQLite and PostgreSQL.

A fake external provider (in memory, with injectable failures) stands in for Google here; the
real Google provider is exercised against a stand-in server in tests/integration.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from booking_core.booking import RetryPolicy, submit_booking
from booking_core.calendars import registry
from booking_core.calendars.base import (
    BusyInterval,
    ProviderError,
    ProviderEvent,
    ProviderResult,
    merge_intervals,
)
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.session import session_scope
from booking_core.manage import (
    EventNotChangeableError,
    EventNotFoundError,
    agenda,
    cancel_event,
    check_availability,
    find_contact_events,
    reschedule_event,
    title_score,
)

LONDON = ZoneInfo("Europe/London")
FAST = RetryPolicy(attempts=3, base_delay=0.0)
NOW = datetime(2030, 7, 1, 8, 0, tzinfo=LONDON)  # a Monday morning
DAY = date(2030, 7, 1)


def at(hhmm: str, day: date = DAY) -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{hhmm}").replace(tzinfo=LONDON)


class FakeAuthError(ProviderError):
    """What a provider raises for revoked credentials."""

    needs_reauth = True

    def __init__(self) -> None:
        super().__init__("token revoked", retryable=False)
        self.reason = "invalid_grant"


class GoneError(ProviderError):
    def __init__(self) -> None:
        super().__init__("event gone", retryable=False)
        self.reason = "gone"


def outage() -> ProviderError:
    return ProviderError("503 backend error", retryable=True)


class FakeCalendar:
    """External calendar in memory; `failures` are raised by the next calls, in order."""

    name = "fake"

    def __init__(self) -> None:
        self.events: dict[str, dict[str, Any]] = {}
        self.others: list[BusyInterval] = []
        self.failures: list[BaseException] = []
        self.calls: list[tuple[str, str]] = []

    def _call(self, op: str, key: str) -> None:
        self.calls.append((op, key))
        if self.failures:
            raise self.failures.pop(0)

    def _result(self, key: str) -> ProviderResult:
        return ProviderResult(provider_event_id=key, link=f"https://fake.example/{key}")

    def create_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        key = f"fk{event.uid}"
        self._call("create", key)
        self.events.setdefault(
            key,
            {"title": event.title, "start": event.start, "end": event.end, "status": "confirmed"},
        )
        return self._result(key)

    def update_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        key = event.provider_event_id or f"fk{event.uid}"
        self._call("update", key)
        if key not in self.events or self.events[key]["status"] == "cancelled":
            raise GoneError()
        self.events[key].update(title=event.title, start=event.start, end=event.end)
        return self._result(key)

    def delete_event(self, tenant: Tenant, event: CalendarEvent) -> None:
        key = event.provider_event_id or f"fk{event.uid}"
        self._call("delete", key)
        if key in self.events:
            self.events[key]["status"] = "cancelled"

    def get_event(self, tenant: Tenant, provider_event_id: str) -> ProviderEvent | None:
        self._call("get", provider_event_id)
        data = self.events.get(provider_event_id)
        if data is None:
            return None
        return ProviderEvent(
            provider_event_id=provider_event_id,
            title=data["title"],
            start=data["start"],
            end=data["end"],
            status=data["status"],
        )

    def free_busy(self, tenant: Tenant, start: datetime, end: datetime) -> list[BusyInterval]:
        self._call("free_busy", "")
        mine = [(e["start"], e["end"]) for e in self.events.values() if e["status"] != "cancelled"]
        return merge_intervals(mine + self.others, start, end)

    def active(self) -> list[dict[str, Any]]:
        return [e for e in self.events.values() if e["status"] == "confirmed"]


def install_fake(monkeypatch: pytest.MonkeyPatch) -> FakeCalendar:
    """Register the fake provider and add tenant "shop" using it (next to the built-in default)."""
    calendar = FakeCalendar()
    factories = {**registry._FACTORIES, "fake": lambda tenant, url: calendar}
    monkeypatch.setattr(registry, "_FACTORIES", factories)
    with session_scope() as session:
        session.add(
            Tenant(
                name="Shop",
                slug="shop",
                timezone="Europe/London",
                calendar_provider="fake",
                calendar_settings={"fake": {"token": "x"}},
            )
        )
    return calendar


@pytest.fixture
def fake(db_settings: str, monkeypatch: pytest.MonkeyPatch) -> FakeCalendar:
    """Tenant "shop" on the fake provider, plus the built-in default tenant."""
    return install_fake(monkeypatch)


def book(slug: str | None = "shop", user: str = "ann", title: str = "Dentist", **kw: Any) -> int:
    outcome = submit_booking(
        tenant_slug=slug,
        channel="whatsapp",
        platform_user_id=user,
        display_name=user.title(),
        title=title,
        start=kw.get("start", at("10:00")),
        end=kw.get("end", at("11:00")),
        timezone="Europe/London",
        retry=FAST,
    )
    return outcome.booking.event_id


def row(event_id: int) -> CalendarEvent:
    with session_scope() as session:
        event = session.get(CalendarEvent, event_id)
        assert event is not None
        return event


def tenant_settings(slug: str) -> dict:
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one()
        return dict(tenant.calendar_settings)


ANN = {"tenant_slug": "shop", "channel": "whatsapp", "platform_user_id": "ann"}
BOB = {"tenant_slug": "shop", "channel": "whatsapp", "platform_user_id": "bob"}


# --- availability ----------------------------------------------------------------------------


def test_builtin_availability_names_only_own_and_business_events(db_settings: str) -> None:
    book(slug=None, user="ann", title="Dentist", start=at("10:00"), end=at("11:00"))
    book(slug=None, user="bob", title="Bob's secret meeting", start=at("11:00"), end=at("12:00"))
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "default")).scalar_one()
        session.add(
            CalendarEvent(
                tenant_id=tenant.id,
                contact_id=None,
                title="Staff training",
                start=at("12:00"),
                end=at("13:00"),
                timezone="Europe/London",
                provider="builtin",
                status="confirmed",
            )
        )
    me = {"tenant_slug": None, "channel": "whatsapp", "platform_user_id": "ann"}
    result = check_availability(**me, start=at("10:30"), end=at("12:30"), now=NOW)
    assert not result.available
    assert result.clashes == ("Dentist", "another appointment", "Staff training")
    assert "Bob's secret meeting" not in result.clashes
    assert all(s.end - s.start == timedelta(hours=2) for s in result.alternatives)
    assert result.alternatives[0].start == at("13:00")

    free = check_availability(**me, start=at("14:00"), end=at("15:00"), now=NOW)
    assert free.available and free.checked and free.alternatives == ()


def test_external_busy_is_another_appointment(fake: FakeCalendar) -> None:
    event_id = book(title="Dentist", start=at("10:00"), end=at("11:00"))
    assert row(event_id).status == "confirmed"
    fake.others.append((at("11:00"), at("12:00")))
    result = check_availability(**ANN, start=at("10:30"), end=at("11:30"), now=NOW)
    assert result.clashes == ("Dentist", "another appointment")
    assert result.checked and result.alternatives
    # 09:00 and 12:00 are equally near (90 min); the earlier one first.
    assert [s.start for s in result.alternatives][:2] == [at("09:00"), at("12:00")]
    # Only the provider's copy of Ann's own event overlaps: no anonymous duplicate.
    only_mine = check_availability(**ANN, start=at("10:15"), end=at("10:45"), now=NOW)
    assert only_mine.clashes == ("Dentist",)
    # Bob sees Ann's event anonymously.
    bob = check_availability(**BOB, start=at("10:15"), end=at("10:45"), now=NOW)
    assert bob.clashes == ("another appointment",)


def test_pending_rows_block_their_slot(fake: FakeCalendar) -> None:
    fake.failures = [outage(), outage(), outage()]
    event_id = book(start=at("15:00"), end=at("16:00"))
    assert row(event_id).status == "pending" and fake.active() == []
    result = check_availability(**BOB, start=at("15:00"), end=at("16:00"), now=NOW)
    assert result.clashes == ("another appointment",)


def test_availability_when_provider_is_down(fake: FakeCalendar) -> None:
    fake.others.append((at("14:00"), at("15:00")))
    fake.failures = [outage(), outage(), outage()]
    result = check_availability(**ANN, start=at("14:00"), end=at("15:00"), now=NOW, retry=FAST)
    assert not result.checked and result.available  # only our own rows could be checked
    assert result.error and "503" in result.error


def test_availability_with_revoked_credentials_flags_tenant(fake: FakeCalendar) -> None:
    fake.failures = [FakeAuthError()]
    result = check_availability(**ANN, start=at("14:00"), end=at("15:00"), now=NOW, retry=FAST)
    assert result.needs_reauth and not result.checked
    settings = tenant_settings("shop")["fake"]
    assert settings["needs_reauth"] is True and settings["reauth_reason"] == "invalid_grant"
    assert settings["token"] == "x"  # the rest of the section is kept


def test_exclude_own_event_for_reschedule(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    shifted = {"start": at("10:30"), "end": at("11:30"), "now": NOW}
    assert check_availability(**ANN, **shifted).clashes == ("Dentist",)
    assert check_availability(**ANN, **shifted, exclude_event_id=event_id).available
    # Someone else's event id is not excluded.
    assert not check_availability(**BOB, **shifted, exclude_event_id=event_id).available


def test_outside_hours_and_past(fake: FakeCalendar) -> None:
    evening = check_availability(**ANN, start=at("18:00"), end=at("19:00"), now=NOW)
    assert evening.outside_hours and not evening.available and evening.alternatives
    assert evening.alternatives[0].start == at("16:00")
    past = check_availability(
        **ANN, start=at("07:00"), end=at("07:30"), now=NOW + timedelta(hours=1)
    )
    assert past.in_past and past.alternatives[0].start >= NOW + timedelta(hours=1)


def test_tenant_business_hours_are_used(fake: FakeCalendar) -> None:
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        tenant.business_hours = {"sat": ["10:00", "14:00"]}
    saturday = date(2030, 7, 6)
    ok = check_availability(**ANN, start=at("10:00", saturday), end=at("11:00", saturday), now=NOW)
    assert ok.available
    monday = check_availability(**ANN, start=at("10:00"), end=at("11:00"), now=NOW)
    assert monday.outside_hours
    assert [s.start for s in monday.alternatives][:1] == [at("10:00", saturday)]


# --- finding ---------------------------------------------------------------------------------


def test_title_score() -> None:
    assert title_score("dentist appointment", "Dentist") == 1.0
    assert title_score("dentst", "Dentist check-up") >= 0.8
    assert title_score("dent", "Dentist") >= 0.9
    assert title_score("haircut", "Dentist") < 0.6
    assert title_score("my meeting", "Anything") == 1.0


def test_find_contact_events(fake: FakeCalendar) -> None:
    tomorrow = DAY + timedelta(days=1)
    dentist = book(title="Dentist check-up", start=at("10:00"), end=at("10:30"))
    haircut = book(title="Haircut", start=at("12:00", tomorrow), end=at("12:30", tomorrow))
    team = book(title="Team sync", start=at("15:00", tomorrow), end=at("16:00", tomorrow))
    book(user="bob", title="Dentist", start=at("11:00"), end=at("11:30"))
    cancelled = book(title="Dentist", start=at("14:00"), end=at("14:30"))
    cancel_event(**ANN, event_id=cancelled, retry=FAST)

    ids = lambda events: [e.event_id for e in events]  # noqa: E731
    start = NOW.astimezone(timezone.utc)
    assert ids(find_contact_events("shop", "whatsapp", "ann", start_from=start)) == [
        dentist,
        haircut,
        team,
    ]
    assert ids(find_contact_events("shop", "whatsapp", "ann", "dentist appointment")) == [dentist]
    assert ids(find_contact_events("shop", "whatsapp", "ann", "my meeting", day=tomorrow)) == [
        haircut,
        team,
    ]
    assert ids(find_contact_events("shop", "whatsapp", "ann", "hair cut")) == [haircut]
    assert find_contact_events("shop", "whatsapp", "ann", "yoga") == []
    later = at("11:00").astimezone(timezone.utc)
    assert dentist not in ids(find_contact_events("shop", "whatsapp", "ann", start_from=later))
    assert find_contact_events("shop", "whatsapp", "nobody") == []
    assert ids(find_contact_events("shop", "whatsapp", "bob")) != []
    found = find_contact_events("shop", "whatsapp", "ann", "dentist")[0]
    assert found.start == at("10:00") and found.start.utcoffset() == timedelta(hours=1)
    assert found.link == f"https://fake.example/fk{found.uid}" and not found.pending


# --- reschedule ------------------------------------------------------------------------------


def test_reschedule_builtin(db_settings: str) -> None:
    event_id = book(slug=None, start=at("10:00"), end=at("11:00"))
    me = {"tenant_slug": None, "channel": "whatsapp", "platform_user_id": "ann"}
    result = reschedule_event(**me, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"))
    assert result.outcome == "done" and result.saved
    assert (result.previous_start, result.event.start) == (at("10:00"), at("14:00"))
    stored = row(event_id)
    assert (stored.start, stored.status) == (at("14:00"), "confirmed")
    # Booking the old slot again makes a new event (the moved row no longer holds that key).
    assert book(slug=None, start=at("10:00"), end=at("11:00")) != event_id


def test_reschedule_external(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    result = reschedule_event(
        **ANN, event_id=event_id, new_start=at("14:00"), new_end=at("14:45"), retry=FAST
    )
    assert result.outcome == "done"
    stored = row(event_id)
    assert (stored.start, stored.end, stored.status, stored.error) == (
        at("14:00"),
        at("14:45"),
        "confirmed",
        None,
    )
    (remote,) = fake.active()
    assert (remote["start"], remote["end"]) == (at("14:00"), at("14:45"))


def test_reschedule_is_scoped_to_the_contact(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    for other in (BOB, {**ANN, "channel": "telegram"}, {**ANN, "tenant_slug": None}):
        with pytest.raises(EventNotFoundError):
            reschedule_event(**other, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"))
        with pytest.raises(EventNotFoundError):
            cancel_event(**other, event_id=event_id)
    assert row(event_id).start == at("10:00")


def test_reschedule_refusals(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    with pytest.raises(EventNotChangeableError, match="past"):
        reschedule_event(
            **ANN,
            event_id=event_id,
            new_start=at("07:00"),
            new_end=at("07:30"),
            now=NOW,
        )
    with pytest.raises(EventNotChangeableError, match="after"):
        reschedule_event(**ANN, event_id=event_id, new_start=at("14:00"), new_end=at("14:00"))
    cancel_event(**ANN, event_id=event_id, retry=FAST)
    with pytest.raises(EventNotChangeableError, match="cancelled"):
        reschedule_event(**ANN, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"))


def test_reschedule_during_outage_is_deferred(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    fake.failures = [outage(), outage(), outage()]
    result = reschedule_event(
        **ANN, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"), retry=FAST
    )
    assert result.outcome == "deferred" and result.saved and result.event.pending
    stored = row(event_id)
    assert stored.status == "pending" and stored.start == at("14:00")
    assert stored.error and stored.error.startswith("[update attempt 3]")
    assert fake.active()[0]["start"] == at("10:00")  # not yet changed at the provider


def test_reschedule_permanent_refusal_restores(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    fake.failures = [ProviderError("400 invalid", retryable=False)]
    result = reschedule_event(
        **ANN, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"), retry=FAST
    )
    assert result.outcome == "failed" and not result.saved
    stored = row(event_id)
    assert (stored.start, stored.status) == (at("10:00"), "confirmed")
    assert "400" in (stored.error or "")


def test_reschedule_event_deleted_in_calendar(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    for data in fake.events.values():
        data["status"] = "cancelled"
    result = reschedule_event(
        **ANN, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"), retry=FAST
    )
    assert result.outcome == "gone"
    assert row(event_id).status == "cancelled"


def test_reschedule_with_revoked_credentials(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    fake.failures = [FakeAuthError()]
    result = reschedule_event(
        **ANN, event_id=event_id, new_start=at("14:00"), new_end=at("15:00"), retry=FAST
    )
    assert result.outcome == "needs_reauth" and result.saved
    assert row(event_id).status == "pending"
    assert tenant_settings("shop")["fake"]["needs_reauth"] is True
    assert len([c for c in fake.calls if c[0] == "update"]) == 1  # not retried


# --- cancel ----------------------------------------------------------------------------------


def test_cancel_external(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    result = cancel_event(**ANN, event_id=event_id, retry=FAST)
    assert result.outcome == "done"
    stored = row(event_id)
    assert (stored.status, stored.error, stored.idempotency_key) == ("cancelled", None, None)
    assert fake.active() == []
    again = cancel_event(**ANN, event_id=event_id, retry=FAST)
    assert again.outcome == "done"
    assert len([c for c in fake.calls if c[0] == "delete"]) == 1


def test_cancel_builtin(db_settings: str) -> None:
    event_id = book(slug=None)
    me = {"tenant_slug": None, "channel": "whatsapp", "platform_user_id": "ann"}
    assert cancel_event(**me, event_id=event_id).outcome == "done"
    assert row(event_id).status == "cancelled"


def test_cancel_during_outage_is_deferred(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    fake.failures = [outage(), outage(), outage()]
    result = cancel_event(**ANN, event_id=event_id, retry=FAST)
    assert result.outcome == "deferred" and result.saved
    stored = row(event_id)
    assert stored.status == "cancelled" and (stored.error or "").startswith("[delete attempt 3]")
    # The slot is free for others right away.
    assert check_availability(**BOB, start=at("10:00"), end=at("11:00"), now=NOW).clashes == (
        "another appointment",  # still at the provider until the worker deletes it
    )


def test_cancel_permanent_refusal_restores(fake: FakeCalendar) -> None:
    event_id = book(start=at("10:00"), end=at("11:00"))
    fake.failures = [ProviderError("400", retryable=False)]
    result = cancel_event(**ANN, event_id=event_id, retry=FAST)
    assert result.outcome == "failed"
    stored = row(event_id)
    assert stored.status == "confirmed" and stored.idempotency_key is not None


# --- agenda ----------------------------------------------------------------------------------


def test_agenda_only_own_events(fake: FakeCalendar) -> None:
    mine = book(title="Dentist", start=at("10:00"), end=at("11:00"))
    book(user="bob", title="Bob's thing", start=at("12:00"), end=at("13:00"))
    book(slug=None, user="ann", title="Other tenant", start=at("13:00"), end=at("14:00"))
    result = agenda(**ANN, day_start=at("00:00"), day_end=at("00:00", DAY + timedelta(days=1)))
    assert [e.event_id for e in result.events] == [mine] and result.verified
    assert (
        agenda(
            **{**ANN, "platform_user_id": "nobody"}, day_start=at("00:00"), day_end=at("23:00")
        ).events
        == ()
    )


def test_agenda_follows_changes_made_in_the_calendar(fake: FakeCalendar) -> None:
    moved = book(title="Dentist", start=at("10:00"), end=at("11:00"))
    deleted = book(title="Haircut", start=at("12:00"), end=at("13:00"))
    fake.events[f"fk{row(moved).uid}"].update(
        start=at("15:00"), end=at("16:00"), title="Dentist (Dr Lee)"
    )
    fake.events[f"fk{row(deleted).uid}"]["status"] = "cancelled"
    result = agenda(**ANN, day_start=at("00:00"), day_end=at("23:59"), retry=FAST)
    assert [(e.event_id, e.title, e.start) for e in result.events] == [
        (moved, "Dentist (Dr Lee)", at("15:00"))
    ]
    assert row(deleted).status == "cancelled"
    assert (row(moved).start, row(moved).title) == (at("15:00"), "Dentist (Dr Lee)")


def test_agenda_when_provider_is_down(fake: FakeCalendar) -> None:
    mine = book(title="Dentist", start=at("10:00"), end=at("11:00"))
    fake.failures = [outage(), outage(), outage()]
    result = agenda(**ANN, day_start=at("00:00"), day_end=at("23:59"), retry=FAST)
    assert not result.verified and [e.event_id for e in result.events] == [mine]
