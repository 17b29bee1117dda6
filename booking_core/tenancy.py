"""Whose request it is: the tenant (by slug), the contact within it, the tenant's opening hours,
and the admin's flag when the tenant's calendar credentials are refused.

Every conversation-facing service starts here, so a contact only ever reaches their own
tenant's data; nothing here talks to a calendar provider.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from booking_core.booking_rules import NO_RULES, BookingRules, applied_rules
from booking_core.calendars.google_config import settings_fingerprint
from booking_core.db.models import Contact, Tenant
from booking_core.db.repository import (
    ensure_default_tenant,
    get_contact_by_platform_id,
    get_tenant_by_slug,
    get_tenant_for_update,
)
from booking_core.db.repository.contacts import check_channel
from booking_core.db.repository.services import get_service
from booking_core.db.service_model import Service
from booking_core.db.types import utcnow
from booking_core.errors import UnknownTenantError
from booking_core.scheduling import OpeningHours, parse_business_hours
from booking_core.settings import get_settings

logger = logging.getLogger(__name__)


def resolve_tenant(session: Session, tenant_slug: str | None) -> Tenant:
    """The tenant named by `tenant_slug`; the default tenant (created on first use) for None or
    the default slug. Raises UnknownTenantError for any other unknown slug."""
    if tenant_slug is None or tenant_slug == get_settings().default_tenant_slug:
        return ensure_default_tenant(session)
    tenant = get_tenant_by_slug(session, slug=tenant_slug)
    if tenant is None:
        raise UnknownTenantError(f"unknown tenant {tenant_slug!r}")
    return tenant


def contact_scope(
    session: Session, tenant_slug: str | None, channel: str, platform_user_id: str
) -> tuple[Tenant, Contact | None]:
    """The tenant and the contact (None when they never booked) a conversation speaks for."""
    check_channel(channel)
    tenant = resolve_tenant(session, tenant_slug)
    contact = get_contact_by_platform_id(
        session, tenant_id=tenant.id, channel=channel, platform_user_id=platform_user_id
    )
    return tenant, contact


def business_hours(tenant: Tenant) -> OpeningHours:
    """The tenant's opening hours; invalid stored JSON falls back to the default (logged)."""
    try:
        return parse_business_hours(tenant.business_hours)
    except ValueError as exc:
        logger.warning("tenant %s: invalid business hours (%s); using defaults", tenant.slug, exc)
        return parse_business_hours(None)


@dataclass(frozen=True)
class BookingTerms:
    """The hours and rules one booking is judged by, and the service they came from."""

    hours: OpeningHours
    rules: BookingRules
    service_id: int | None = None


def service_rule_values(service: Service) -> dict[str, object]:
    """The service's own rules in the JSON form, with its buffer columns when set."""
    values: dict[str, object] = dict(service.booking_rules or {})
    for key in ("buffer_before_minutes", "buffer_after_minutes"):
        if getattr(service, key) is not None:
            values[key] = getattr(service, key)
    return values


def terms_of(session: Session, tenant: Tenant, service_id: int | None = None) -> BookingTerms:
    """The tenant's hours and rules, with the service's own on top when `service_id` names one
    of the tenant's services. Invalid stored rules are logged and ignored (no rule), as invalid
    hours fall back to the defaults: a bad row must not stop every booking."""
    service = None
    if service_id is not None:
        service = get_service(session, tenant_id=tenant.id, service_id=service_id)
    hours = business_hours(tenant)
    if service is not None and service.business_hours:
        try:
            hours = parse_business_hours(service.business_hours)
        except ValueError as exc:
            logger.warning("service %s: invalid hours (%s); using the tenant's", service.id, exc)
    try:
        rules = applied_rules(
            tenant.booking_rules, service_rule_values(service) if service else None
        )
    except ValueError as exc:
        logger.warning("tenant %s: invalid booking rules (%s); none applied", tenant.slug, exc)
        rules = NO_RULES
    return BookingTerms(hours, rules, service.id if service is not None else None)


def business_contact(tenant: Tenant) -> str | None:
    """How customers reach the business in words ("+44 117 496 0000 or hello@salon.example")."""
    ways = [way for way in (tenant.phone, tenant.email) if way]
    return " or ".join(ways) or None


def flag_tenant_reauth(
    session: Session, *, tenant_id: int, provider: str, exc: BaseException
) -> bool:
    """Mark the tenant's provider section `needs_reauth` with the reason, for its admin.

    Skipped (False) when the stored credential changed since it failed (the admin reconnected
    meanwhile); compared through the error's `fingerprint` when it carries one.
    """
    tenant = get_tenant_for_update(session, tenant_id=tenant_id)
    if tenant is None:
        return False
    settings = dict(tenant.calendar_settings or {})
    section = dict(settings.get(provider) or {})
    fingerprint = getattr(exc, "fingerprint", None)
    if fingerprint and settings_fingerprint(section) != fingerprint:
        return False
    reason = str(getattr(exc, "reason", None) or exc)[:500]
    if section.get("needs_reauth") and section.get("reauth_reason") == reason:
        return True
    section.update(needs_reauth=True, reauth_reason=reason, reauth_flagged_at=utcnow().isoformat())
    settings[provider] = section
    tenant.calendar_settings = settings  # a new dict: JSON columns only see reassignment
    session.flush()
    logger.warning(
        "tenant %s flagged: %s calendar needs re-authorisation (%s)", tenant.slug, provider, reason
    )
    return True


def flag_tenant_reauth_soon(session: Session, tenant: Tenant, exc: BaseException) -> None:
    """`flag_tenant_reauth` committed at once, best effort: for reads (free/busy, agenda) whose
    caller still answers, flagged or not."""
    try:
        flag_tenant_reauth(session, tenant_id=tenant.id, provider=tenant.calendar_provider, exc=exc)
        session.commit()
    except Exception:  # flagging is best effort; the caller still reports the failure
        session.rollback()
        logger.exception("could not flag tenant %s for re-authorisation", tenant.slug)


def reauth_pending(tenant: Tenant) -> bool:
    """True while the tenant's current provider is flagged for re-authorisation (nothing is
    sent to it until the admin reconnects)."""
    section = (tenant.calendar_settings or {}).get(tenant.calendar_provider) or {}
    return isinstance(section, dict) and bool(section.get("needs_reauth"))
