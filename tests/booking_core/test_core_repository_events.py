"""Repository (crud) functions for calendar events, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from booking_core.db import repository as repo
from booking_core.db.models import CalendarEvent, Contact, Message
from booking_core.db.session import session_scope
from tests.booking_core.repository_factories import T0, make_contact, make_tenant


def _event(url: str, tenant_id: int, contact_id: int | None, start: datetime, minutes: int = 30):
    with session_scope(url) as session:
        return repo.create_calendar_event(
            session,
            tenant_id=tenant_id,
            contact_id=contact_id,
            title="Haircut",
            start=start,
            end=start + timedelta(minutes=minutes),
            timezone="Europe/London",
            provider="builtin",
        )


class TestCalendarEvents:
    def test_create_confirm_get(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        contact_id = make_contact(db_url, tenant_id)
        event = _event(db_url, tenant_id, contact_id, T0)
        assert event.status == "pending"
        assert len(event.uid) == 26 and set(event.uid) <= set("0123456789abcdefghijklmnopqrstuv")
        with session_scope(db_url) as session:
            repo.confirm_calendar_event(
                session, event_id=event.id, provider_event_id=event.uid, link="http://x/e.ics"
            )
        with session_scope(db_url) as session:
            stored = repo.get_calendar_event(session, tenant_id=tenant_id, event_id=event.id)
            assert stored is not None
            assert (stored.status, stored.provider_event_id, stored.link) == (
                "confirmed",
                event.uid,
                "http://x/e.ics",
            )
            assert stored.start == T0 and stored.start.tzinfo is not None
            by_uid = repo.get_calendar_event_by_uid(session, uid=event.uid)
            assert by_uid is not None and by_uid.id == event.id

    def test_get_is_scoped_by_tenant(self, db_url: str) -> None:
        a, b = make_tenant(db_url, "a"), make_tenant(db_url, "b")
        event = _event(db_url, a, None, T0)
        with session_scope(db_url) as session:
            assert repo.get_calendar_event(session, tenant_id=b, event_id=event.id) is None
            assert repo.get_calendar_event_by_uid(session, uid=event.uid, tenant_id=b) is None
            assert repo.list_calendar_events(session, tenant_id=b) == []

    def test_create_validation(self, db_url: str) -> None:
        a, b = make_tenant(db_url, "a"), make_tenant(db_url, "b")
        contact_b = make_contact(db_url, b)
        base: dict[str, Any] = {
            "tenant_id": a,
            "contact_id": None,
            "title": "x",
            "start": T0,
            "end": T0 + timedelta(hours=1),
            "timezone": "Europe/London",
            "provider": "builtin",
        }
        with session_scope(db_url) as session:
            for override, match in (
                ({"end": T0}, "after"),
                ({"start": T0.replace(tzinfo=None)}, "timezone-aware"),
                ({"timezone": "Mars/Olympus"}, "IANA"),
                ({"title": "  "}, "title"),
                ({"contact_id": contact_b}, "does not belong"),
            ):
                with pytest.raises(ValueError, match=match):
                    repo.create_calendar_event(session, **{**base, **override})

    def test_list_filters(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        c1, c2 = make_contact(db_url, tenant_id, "1"), make_contact(db_url, tenant_id, "2")
        e1 = _event(db_url, tenant_id, c1, T0 + timedelta(hours=2))
        e2 = _event(db_url, tenant_id, c2, T0)
        e3 = _event(db_url, tenant_id, c1, T0 + timedelta(days=1))
        with session_scope(db_url) as session:
            repo.confirm_calendar_event(session, event_id=e3.id, provider_event_id="p", link="l")

            def ids(**kwargs: Any) -> list[int]:
                events = repo.list_calendar_events(session, tenant_id=tenant_id, **kwargs)
                return [e.id for e in events]

            assert ids() == [e2.id, e1.id, e3.id]
            assert ids(contact_id=c1) == [e1.id, e3.id]
            assert ids(start_from=T0 + timedelta(hours=2)) == [e1.id, e3.id]
            assert ids(start_before=T0 + timedelta(hours=2)) == [e2.id]
            assert ids(status="confirmed") == [e3.id]
            # Bounds given in another zone mean the same instants.
            london = T0.astimezone(timezone(timedelta(hours=-5)))
            assert ids(start_from=london, start_before=london + timedelta(minutes=1)) == [e2.id]
            with pytest.raises(ValueError):
                ids(status="bogus")

    def test_find_overlapping(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        other = make_tenant(db_url, "other")
        e1 = _event(db_url, tenant_id, None, T0, 60)  # 15:00-16:00
        e2 = _event(db_url, tenant_id, None, T0 + timedelta(hours=2), 30)  # 17:00-17:30
        _event(db_url, other, None, T0, 60)
        with session_scope(db_url) as session:

            def ids(start: datetime, end: datetime) -> list[int]:
                return [
                    e.id
                    for e in repo.find_overlapping_events(
                        session, tenant_id=tenant_id, start=start, end=end
                    )
                ]

            assert ids(T0 + timedelta(minutes=30), T0 + timedelta(minutes=45)) == [e1.id]
            assert ids(T0 + timedelta(hours=1), T0 + timedelta(hours=2)) == []  # touching ends
            assert ids(T0 - timedelta(hours=1), T0 + timedelta(hours=3)) == [e1.id, e2.id]
            repo.cancel_calendar_event(session, tenant_id=tenant_id, event_id=e1.id)
            assert ids(T0, T0 + timedelta(hours=1)) == []

    def test_idempotency_key_unique_per_tenant_and_released_by_cancel(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        kwargs: dict[str, Any] = {
            "tenant_id": tenant_id,
            "contact_id": None,
            "title": "x",
            "start": T0,
            "end": T0 + timedelta(hours=1),
            "timezone": "UTC",
            "provider": "builtin",
            "idempotency_key": "k1",
        }
        with session_scope(db_url) as session:
            first = repo.create_calendar_event(session, **kwargs)
            with pytest.raises(IntegrityError):
                repo.create_calendar_event(session, **kwargs)
            # The savepoint kept the first insert.
            found = repo.get_calendar_event_by_idempotency_key(
                session, tenant_id=tenant_id, idempotency_key="k1"
            )
            assert found is not None and found.id == first.id
            repo.cancel_calendar_event(session, tenant_id=tenant_id, event_id=first.id)
            second = repo.create_calendar_event(session, **kwargs)
            assert second.id != first.id

    def test_cancelled_event_cannot_be_confirmed(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        event = _event(db_url, tenant_id, None, T0)
        with session_scope(db_url) as session:
            repo.cancel_calendar_event(session, tenant_id=tenant_id, event_id=event.id)
            with pytest.raises(ValueError, match="cancelled"):
                repo.confirm_calendar_event(
                    session, event_id=event.id, provider_event_id="p", link=None
                )
            with pytest.raises(LookupError):
                repo.confirm_calendar_event(
                    session, event_id=event.id + 100, provider_event_id="p", link=None
                )

    def test_foreign_keys_enforced(self, db_url: str) -> None:
        with pytest.raises(IntegrityError), session_scope(db_url) as session:
            session.add(
                CalendarEvent(
                    tenant_id=12345,
                    title="x",
                    start=T0,
                    end=T0 + timedelta(hours=1),
                    timezone="UTC",
                    provider="builtin",
                )
            )

    def test_deleting_contact_keeps_events_and_drops_messages(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        contact_id = make_contact(db_url, tenant_id)
        event = _event(db_url, tenant_id, contact_id, T0)
        with session_scope(db_url) as session:
            repo.record_message(
                session,
                tenant_id=tenant_id,
                contact_id=contact_id,
                channel="whatsapp",
                direction="in",
            )
        with session_scope(db_url) as session:
            session.execute(Contact.__table__.delete().where(Contact.__table__.c.id == contact_id))
        with session_scope(db_url) as session:
            assert session.scalar(select(func.count()).select_from(Message)) == 0
            stored = repo.get_calendar_event(session, tenant_id=tenant_id, event_id=event.id)
            assert stored is not None and stored.contact_id is None
