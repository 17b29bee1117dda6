"""tenancy: the tenant by slug, the contact within it, opening hours and the reauth flag."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from booking_core.db.models import Tenant
from booking_core.db.session import session_scope
from booking_core.errors import UnknownTenantError
from booking_core.scheduling import parse_business_hours
from booking_core.tenancy import business_hours, contact_scope, reauth_pending, resolve_tenant
from tests.booking_core.fakes import FakeCalendar, book


def test_resolve_tenant(fake: FakeCalendar) -> None:
    with session_scope() as session:
        assert resolve_tenant(session, None).slug == "default"  # created on first use
        assert resolve_tenant(session, "default").slug == "default"
        assert resolve_tenant(session, "shop").calendar_provider == "fake"
        with pytest.raises(UnknownTenantError):
            resolve_tenant(session, "nobody")


def test_contact_scope(fake: FakeCalendar) -> None:
    book(user="ann")
    with session_scope() as session:
        tenant, contact = contact_scope(session, "shop", "whatsapp", "ann")
        assert tenant.slug == "shop" and contact is not None
        assert contact_scope(session, "shop", "telegram", "ann")[1] is None
        with pytest.raises(ValueError, match="channel"):
            contact_scope(session, "shop", "carrier-pigeon", "ann")


def test_invalid_stored_hours_fall_back_to_the_default() -> None:
    tenant = Tenant(slug="odd", business_hours={"mon": ["9am", "5pm"]})
    assert business_hours(tenant) == parse_business_hours(None)
    tenant.business_hours = {"sat": ["10:00", "14:00"]}
    assert business_hours(tenant)[5] == ((600, 840),)


def test_reauth_pending(fake: FakeCalendar) -> None:
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        assert not reauth_pending(tenant)
        tenant.calendar_settings = {"fake": {"needs_reauth": True}}
        assert reauth_pending(tenant)
        tenant.calendar_provider = "builtin"  # the flag belongs to the other provider
        assert not reauth_pending(tenant)
