"""Repository (crud) functions for tenants and contacts, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from booking_core.db import repository as repo
from booking_core.db.models import Contact, Tenant
from booking_core.db.session import session_scope
from tests.booking_core.repository_factories import make_contact, make_tenant


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
        tenant_id = make_tenant(db_url)
        with session_scope(db_url) as session:
            by_id = repo.get_tenant(session, tenant_id=tenant_id)
            by_slug = repo.get_tenant_by_slug(session, slug="acme")
            assert by_id is not None and by_id.slug == "acme"
            assert by_slug is not None and by_slug.id == tenant_id
            assert repo.get_tenant(session, tenant_id=tenant_id + 99) is None
            assert repo.get_tenant_by_slug(session, slug="nope") is None

    def test_feed_tokens_differ(self, db_url: str) -> None:
        make_tenant(db_url, "a")
        make_tenant(db_url, "b")
        with session_scope(db_url) as session:
            tokens = session.scalars(select(Tenant.feed_token)).all()
        assert len(set(tokens)) == 2


class TestContacts:
    def test_upsert_creates_then_updates(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
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
        a, b = make_tenant(db_url, "a"), make_tenant(db_url, "b")
        assert make_contact(db_url, a) != make_contact(db_url, b)

    def test_unknown_channel_refused(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        with session_scope(db_url) as session, pytest.raises(ValueError, match="channel"):
            repo.upsert_contact(session, tenant_id=tenant_id, channel="fax", platform_user_id="1")

    def test_unique_constraint_enforced(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        make_contact(db_url, tenant_id, "dup")
        with pytest.raises(IntegrityError), session_scope(db_url) as session:
            session.add(Contact(tenant_id=tenant_id, channel="whatsapp", platform_user_id="dup"))
