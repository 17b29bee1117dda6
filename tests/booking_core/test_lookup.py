"""lookup: finding a contact's own events by title hint and day, and the agenda read back from
the provider (SQLite and PostgreSQL, the fake calendar of tests/booking_core/fakes.py)."""

from __future__ import annotations

from datetime import timedelta, timezone

from booking_core.changes import cancel_event
from booking_core.lookup import agenda, find_contact_events, title_score
from tests.booking_core.fakes import (
    ANN,
    DAY,
    FAST,
    NOW,
    FakeCalendar,
    at,
    book,
    outage,
    row,
)


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
