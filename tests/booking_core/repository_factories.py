"""Rows for the repository tests: a tenant and a contact, committed."""

from __future__ import annotations

from datetime import datetime, timezone

from booking_core.db import repository as repo
from booking_core.db.models import Tenant
from booking_core.db.session import session_scope

UTC = timezone.utc
T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def make_tenant(url: str, slug: str = "acme") -> int:
    with session_scope(url) as session:
        tenant = Tenant(name="Acme", slug=slug, timezone="Europe/London", locale="en_GB")
        session.add(tenant)
        session.flush()
        return int(tenant.id)


def make_contact(url: str, tenant_id: int, user: str = "u1", channel: str = "whatsapp") -> int:
    with session_scope(url) as session:
        contact = repo.upsert_contact(
            session, tenant_id=tenant_id, channel=channel, platform_user_id=user
        )
        session.flush()
        return int(contact.id)
