"""Repository (crud) functions, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from booking_core.db import repository as repo
from booking_core.db.models import CalendarEvent, Contact, Message, Tenant
from booking_core.db.session import session_scope

UTC = timezone.utc
T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _tenant(url: str, slug: str = "acme") -> int:
    with session_scope(url) as session:
        tenant = Tenant(name="Acme", slug=slug, timezone="Europe/London", locale="en_GB")
        session.add(tenant)
        session.flush()
        return int(tenant.id)


def _contact(url: str, tenant_id: int, user: str = "u1", channel: str = "whatsapp") -> int:
    with session_scope(url) as session:
        contact = repo.upsert_contact(
            session, tenant_id=tenant_id, channel=channel, platform_user_id=user
        )
        session.flush()
        return int(contact.id)


class TestTenants:
    def test_ensure_default_tenant_is_idempotent(self, db_settings: str) -> None:
        with session_scope(db_settings) as session:
            first = repo.ensure_default_tenant(session)
            assert first.id is not None
        with session_scope(db_settings) as session:
            again = repo.ensure_default_tenant(session)
            assert again.id == first.id
            assert session.scalar(select(func.count()).select_from(Tenant)) == 1
        assert (first.slug, first.name, first.timezone, first.locale) == (
            "default",
            "Demo Business",
            "Europe/London",
            "en_GB",
        )
        assert first.calendar_provider == "builtin"
        assert first.default_event_minutes == 30
        assert first.business_hours["mon"] == ["09:00", "17:00"]
        assert len(first.feed_token) >= 40

    def test_default_tenant_follows_settings(
        self, db_settings: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from booking_core.settings import get_settings

        monkeypatch.setenv("DEFAULT_TENANT_SLUG", "salon")
        monkeypatch.setenv("DEFAULT_TIMEZONE", "America/New_York")
        get_settings.cache_clear()
        with session_scope(db_settings) as session:
            tenant = repo.ensure_default_tenant(session)
        assert (tenant.slug, tenant.timezone) == ("salon", "America/New_York")

    def test_lookup(self, db_url: str) -> None:
        tenant_id = _tenant(db_url)
        with session_scope(db_url) as session:
            by_id = repo.get_tenant(session, tenant_id=tenant_id)
            by_slug = repo.get_tenant_by_slug(session, slug="acme")
            assert by_id is not None and by_id.slug == "acme"
            assert by_slug is not None and by_slug.id == tenant_id
            assert repo.get_tenant(session, tenant_id=tenant_id + 99) is None
            assert repo.get_tenant_by_slug(session, slug="nope") is None

    def test_feed_tokens_differ(self, db_url: str) -> None:
        _tenant(db_url, "a")
        _tenant(db_url, "b")
        with session_scope(db_url) as session:
            tokens = session.scalars(select(Tenant.feed_token)).all()
        assert len(set(tokens)) == 2


class TestContacts:
    def test_upsert_creates_then_updates(self, db_url: str) -> None:
        tenant_id = _tenant(db_url)
        with session_scope(db_url) as session:
            created = repo.upsert_contact(
                session,
                tenant_id=tenant_id,
                channel="telegram",
                platform_user_id="42",
                display_name="Ann",
            )
        with session_scope(db_url) as session:
            updated = repo.upsert_contact(
                session,
                tenant_id=tenant_id,
                channel="telegram",
                platform_user_id="42",
                locale="en_US",
            )
            assert updated.id == created.id
            assert (updated.display_name, updated.locale) == ("Ann", "en_US")
            other = repo.upsert_contact(
                session, tenant_id=tenant_id, channel="whatsapp", platform_user_id="42"
            )
            assert other.id != created.id

    def test_same_user_id_in_two_tenants(self, db_url: str) -> None:
        a, b = _tenant(db_url, "a"), _tenant(db_url, "b")
        assert _contact(db_url, a) != _contact(db_url, b)

    def test_unknown_channel_refused(self, db_url: str) -> None:
        tenant_id = _tenant(db_url)
        with session_scope(db_url) as session, pytest.raises(ValueError, match="channel"):
            repo.upsert_contact(session, tenant_id=tenant_id, channel="fax", platform_user_id="1")

    def test_unique_constraint_enforced(self, db_url: str) -> None:
        tenant_id = _tenant(db_url)
        _contact(db_url, tenant_id, "dup")
        with pytest.raises(IntegrityError), session_scope(db_url) as session:
            session.add(Contact(tenant_id=tenant_id, channel="whatsapp", platform_user_id="dup"))


class TestMessages:
    def test_record_and_duplicate(self, db_url: str) -> None:
        tenant_id = _tenant(db_url)
        contact_id = _contact(db_url, tenant_id)
        sent_at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
        with session_scope(db_url) as session:
            message = repo.record_message(
                session,
                tenant_id=tenant_id,
                contact_id=contact_id,
                channel="whatsapp",
                direction="in",
                text="book a haircut",
                payload={"raw": [1, 2]},
                platform_message_id="wamid.1",
                sent_at=sent_at,
            )
            assert message is not None and message.status == "received"
            # The duplicate does not spoil the surrounding transaction.
            duplicate = repo.record_message(
                session,
                tenant_id=tenant_id,
                contact_id=contact_id,
                channel="whatsapp",
                direction="in",
                text="book a haircut",
                platform_message_id="wamid.1",
            )
            assert duplicate is None
            assert repo.get_message(session, message_id=message.id) is not None
        with session_scope(db_url) as session:
            assert session.scalar(select(func.count()).select_from(Message)) == 1
            stored = repo.get_message_by_platform_id(
                session, tenant_id=tenant_id, channel="whatsapp", platform_message_id="wamid.1"
            )
            assert stored is not None
            assert stored.payload == {"raw": [1, 2]}
            assert stored.sent_at == sent_at
            contact = session.get(Contact, contact_id)
            assert contact is not None and contact.last_inbound_at == sent_at

    def test_duplicate_in_new_transaction(self, db_url: str) -> None:
        tenant_id = _tenant(db_url)
        contact_id = _contact(db_url, tenant_id)
        kwargs: dict[str, Any] = {
            "tenant_id": tenant_id,
            "contact_id": contact_id,
            "channel": "whatsapp",
            "direction": "in",
            "platform_message_id": "wamid.X",
        }
        with session_scope(db_url) as session:
            assert repo.record_message(session, **kwargs) is not None
        with session_scope(db_url) as session:
            assert repo.record_message(session, **kwargs) is None

    def test_same_platform_id_other_channel_or_tenant_is_not_duplicate(self, db_url: str) -> None:
        a, b = _tenant(db_url, "a"), _tenant(db_url, "b")
        ca = _contact(db_url, a)
        ca_tg = _contact(db_url, a, channel="telegram")
        cb = _contact(db_url, b)
        with session_scope(db_url) as session:
            for tenant_id, contact_id, channel in (
                (a, ca, "whatsapp"),
                (a, ca_tg, "telegram"),
                (b, cb, "whatsapp"),
            ):
                assert (
                    repo.record_message(
                        session,
                        tenant_id=tenant_id,
                        contact_id=contact_id,
                        channel=channel,
                        direction="in",
                        platform_message_id="same",
                    )
                    is not None
                )

    def test_messages_without_platform_id_never_collide(self, db_url: str) -> None:
        tenant_id = _tenant(db_url)
        contact_id = _contact(db_url, tenant_id)
        with session_scope(db_url) as session:
            for _ in range(3):
                message = repo.record_message(
                    session,
                    tenant_id=tenant_id,
                    contact_id=contact_id,
                    channel="whatsapp",
                    direction="out",
                    text="hi",
                )
                assert message is not None and message.status == "sent"

    def test_concurrent_duplicates_store_one_row(self, db_url: str) -> None:
        tenant_id = _tenant(db_url)
        contact_id = _contact(db_url, tenant_id)
        workers = 8
        barrier = threading.Barrier(workers)
        results: list[bool] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def deliver() -> None:
            try:
                barrier.wait(timeout=10)
                with session_scope(db_url) as session:
                    message = repo.record_message(
                        session,
                        tenant_id=tenant_id,
                        contact_id=contact_id,
                        channel="whatsapp",
                        direction="in",
                        text="retry",
                        platform_message_id="wamid.race",
                    )
                    stored = message is not None
                with lock:
                    results.append(stored)
            except BaseException as exc:  # surfaced below
                with lock:
                    errors.append(exc)

        threads = [threading.Thread(target=deliver) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        assert sorted(results) == [False] * (workers - 1) + [True]
        with session_scope(db_url) as session:
            count = session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.platform_message_id == "wamid.race")
            )
        assert count == 1

    def test_mark_message(self, db_url: str) -> None:
        tenant_id = _tenant(db_url)
        contact_id = _contact(db_url, tenant_id)
        with session_scope(db_url) as session:
            inbound = repo.record_message(
                session,
                tenant_id=tenant_id,
                contact_id=contact_id,
                channel="whatsapp",
                direction="in",
            )
            outbound = repo.record_message(
                session,
                tenant_id=tenant_id,
                contact_id=contact_id,
                channel="whatsapp",
                direction="out",
                platform_message_id="wamid.out",
            )
        assert inbound is not None and outbound is not None
        with session_scope(db_url) as session:
            processed = repo.mark_message(session, message_id=inbound.id, status="processed")
            assert processed is not None and processed.processed_at is not None
            repo.mark_message(session, message_id=outbound.id, status="read")
            late = repo.mark_message(session, message_id=outbound.id, status="delivered")
            assert late is not None and late.status == "read"
            failed = repo.mark_message(
                session, message_id=outbound.id, status="failed", error="131047"
            )
            assert failed is not None
            assert (failed.status, failed.error) == ("failed", "131047")
            assert repo.mark_message(session, message_id=999_999, status="read") is None
            with pytest.raises(ValueError):
                repo.mark_message(session, message_id=inbound.id, status="lost")

    def test_validation(self, db_url: str) -> None:
        a, b = _tenant(db_url, "a"), _tenant(db_url, "b")
        contact_b = _contact(db_url, b)
        with session_scope(db_url) as session:
            with pytest.raises(ValueError, match="direction"):
                repo.record_message(
                    session, tenant_id=b, contact_id=contact_b, channel="whatsapp", direction="x"
                )
            with pytest.raises(ValueError, match="does not belong"):
                repo.record_message(
                    session, tenant_id=a, contact_id=contact_b, channel="whatsapp", direction="in"
                )
            with pytest.raises(ValueError, match="timezone-aware"):
                repo.record_message(
                    session,
                    tenant_id=b,
                    contact_id=contact_b,
                    channel="whatsapp",
                    direction="in",
                    sent_at=datetime(2026, 1, 1),
                )


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
        tenant_id = _tenant(db_url)
        contact_id = _contact(db_url, tenant_id)
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
        a, b = _tenant(db_url, "a"), _tenant(db_url, "b")
        event = _event(db_url, a, None, T0)
        with session_scope(db_url) as session:
            assert repo.get_calendar_event(session, tenant_id=b, event_id=event.id) is None
            assert repo.get_calendar_event_by_uid(session, uid=event.uid, tenant_id=b) is None
            assert repo.list_calendar_events(session, tenant_id=b) == []

    def test_create_validation(self, db_url: str) -> None:
        a, b = _tenant(db_url, "a"), _tenant(db_url, "b")
        contact_b = _contact(db_url, b)
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
        tenant_id = _tenant(db_url)
        c1, c2 = _contact(db_url, tenant_id, "1"), _contact(db_url, tenant_id, "2")
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
        tenant_id = _tenant(db_url)
        other = _tenant(db_url, "other")
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
        tenant_id = _tenant(db_url)
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
        tenant_id = _tenant(db_url)
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
        tenant_id = _tenant(db_url)
        contact_id = _contact(db_url, tenant_id)
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
