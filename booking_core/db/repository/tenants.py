"""Tenant crud."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.db.models import DEFAULT_BUSINESS_HOURS, Tenant
from booking_core.settings import get_settings


def get_tenant(session: Session, *, tenant_id: int) -> Tenant | None:
    """The tenant with this primary key, or None."""
    return session.get(Tenant, tenant_id)


def get_tenant_for_update(session: Session, *, tenant_id: int) -> Tenant | None:
    """The tenant row locked for this transaction and read afresh (never a stale copy of its
    settings from the session), or None."""
    return session.execute(
        select(Tenant)
        .where(Tenant.id == tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def get_tenant_by_slug(session: Session, *, slug: str) -> Tenant | None:
    """The tenant with this slug, or None."""
    return session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def ensure_default_tenant(session: Session) -> Tenant:
    """Return the default tenant named in the settings, creating it on first use.

    Idempotent and safe against a concurrent first start (the insert runs in a savepoint and a
    unique-slug conflict falls back to the row the other process created). An existing row is
    returned unchanged: the admin may have edited it since, so settings only seed it.
    """
    settings = get_settings()
    tenant = get_tenant_by_slug(session, slug=settings.default_tenant_slug)
    if tenant is not None:
        return tenant
    tenant = Tenant(
        name=settings.default_tenant_name,
        slug=settings.default_tenant_slug,
        timezone=settings.default_timezone,
        locale=settings.default_locale,
        calendar_provider="builtin",
        calendar_settings={},
        business_hours=dict(DEFAULT_BUSINESS_HOURS),
        default_event_minutes=settings.default_event_duration_minutes,
    )
    try:
        with session.begin_nested():
            session.add(tenant)
    except IntegrityError:
        existing = get_tenant_by_slug(session, slug=settings.default_tenant_slug)
        if existing is None:
            raise
        return existing
    return tenant
