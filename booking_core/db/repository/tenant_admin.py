"""Tenant administration crud: create/update tenants, their feed token, the Google Calendar
connection and tenant-scoped access to channel accounts.

The Google connection lives in `tenant.calendar_settings["google"]` as
`{"refresh_token_enc": <Fernet token>, "calendar_id": "primary", "connected_at": <ISO 8601>}`;
the Google calendar provider reads exactly these keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.crypto import SecretBox
from booking_core.db.models import (
    DEFAULT_BUSINESS_HOURS,
    ChannelAccount,
    Tenant,
    new_feed_token,
)
from booking_core.db.repository.events import check_timezone
from booking_core.db.types import require_aware, utcnow

#: Calendar providers a tenant can choose (Google only once connected).
CALENDAR_PROVIDERS = ("builtin", "google")


class AlreadyExistsError(ValueError):
    """A unique value (e.g. a tenant slug) is taken."""


class NotConnectedError(ValueError):
    """The tenant chose a calendar provider it has not connected."""


#: How customers find and reach the business ("where are you?", a refused late change).
PROFILE_FIELDS = ("address", "map_url", "phone", "email")


def _profile(values: dict[str, str | None] | None) -> dict[str, str | None]:
    unknown = set(values or {}) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {', '.join(sorted(unknown))}")
    return dict(values or {})


def create_tenant(
    session: Session,
    *,
    name: str,
    slug: str,
    timezone: str = "Europe/London",
    locale: str = "en_GB",
    business_hours: dict[str, list[str]] | None = None,
    default_event_minutes: int = 30,
    booking_rules: dict[str, Any] | None = None,
    profile: dict[str, str | None] | None = None,
) -> Tenant:
    """Insert a tenant (built-in calendar, fresh feed token); a taken slug raises AlreadyExists.
    `profile` sets any of PROFILE_FIELDS (address, map link, phone, email)."""
    check_timezone(timezone)
    if default_event_minutes <= 0:
        raise ValueError("default_event_minutes must be positive")
    hours = business_hours if business_hours is not None else DEFAULT_BUSINESS_HOURS
    tenant = Tenant(
        name=name,
        slug=slug,
        timezone=timezone,
        locale=locale,
        calendar_provider="builtin",
        calendar_settings={},
        business_hours=dict(hours),
        default_event_minutes=default_event_minutes,
        booking_rules=dict(booking_rules or {}),
        **_profile(profile),
    )
    try:
        with session.begin_nested():
            session.add(tenant)
    except IntegrityError as exc:
        raise AlreadyExistsError(f"tenant slug {slug!r} is taken") from exc
    return tenant


def list_tenants(session: Session) -> list[Tenant]:
    """Every tenant, in creation order (admin only)."""
    return list(session.execute(select(Tenant).order_by(Tenant.id)).scalars())


def get_tenant_by_feed_token(session: Session, *, feed_token: str) -> Tenant | None:
    """The tenant whose calendar feed token this is (the token is the capability), or None."""
    if not feed_token:
        return None
    return session.execute(
        select(Tenant).where(Tenant.feed_token == feed_token)
    ).scalar_one_or_none()


def google_connection(tenant: Tenant) -> dict[str, Any] | None:
    """The stored Google connection of a tenant, or None when not connected."""
    google = (tenant.calendar_settings or {}).get("google")
    if isinstance(google, dict) and (
        google.get("refresh_token_enc") or google.get("service_account_info_enc")
    ):
        return google
    return None


def update_tenant(
    session: Session,
    *,
    tenant_id: int,
    name: str | None = None,
    timezone: str | None = None,
    locale: str | None = None,
    business_hours: dict[str, list[str]] | None = None,
    default_event_minutes: int | None = None,
    calendar_provider: str | None = None,
    booking_rules: dict[str, Any] | None = None,
    profile: dict[str, str | None] | None = None,
) -> Tenant | None:
    """Change the given settings of one tenant (None leaves a field as it is; in `profile`,
    a key given as None clears that field)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        return None
    if timezone is not None:
        check_timezone(timezone)
        tenant.timezone = timezone
    if default_event_minutes is not None:
        if default_event_minutes <= 0:
            raise ValueError("default_event_minutes must be positive")
        tenant.default_event_minutes = default_event_minutes
    if calendar_provider is not None:
        if calendar_provider not in CALENDAR_PROVIDERS:
            raise ValueError(f"calendar_provider must be one of {', '.join(CALENDAR_PROVIDERS)}")
        if calendar_provider == "google" and google_connection(tenant) is None:
            raise NotConnectedError("connect Google Calendar before choosing it")
        tenant.calendar_provider = calendar_provider
    if name is not None:
        tenant.name = name
    if locale is not None:
        tenant.locale = locale
    if business_hours is not None:
        tenant.business_hours = dict(business_hours)
    if booking_rules is not None:
        tenant.booking_rules = dict(booking_rules)
    for field, value in _profile(profile).items():
        setattr(tenant, field, value)
    session.flush()
    return tenant


def rotate_feed_token(session: Session, *, tenant_id: int) -> Tenant | None:
    """Give the tenant a new feed token (the old feed URL stops working)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        return None
    tenant.feed_token = new_feed_token()
    session.flush()
    return tenant


def set_google_connection(
    session: Session,
    *,
    tenant_id: int,
    refresh_token: str,
    box: SecretBox,
    calendar_id: str = "primary",
    connected_at: datetime | None = None,
) -> Tenant | None:
    """Store the refresh token encrypted and make Google the tenant's calendar provider."""
    if not refresh_token:
        raise ValueError("refresh_token must not be empty")
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        return None
    when = require_aware(connected_at, "connected_at") if connected_at else utcnow()
    settings = dict(tenant.calendar_settings or {})
    settings["google"] = {
        "refresh_token_enc": box.encrypt(refresh_token),
        "calendar_id": calendar_id,
        "connected_at": when.isoformat(),
    }
    # A new dict (not an in-place change) so the JSON column is written.
    tenant.calendar_settings = settings
    tenant.calendar_provider = "google"
    session.flush()
    return tenant


def clear_google_connection(session: Session, *, tenant_id: int) -> Tenant | None:
    """Forget the Google connection and fall back to the built-in calendar."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        return None
    settings = dict(tenant.calendar_settings or {})
    settings.pop("google", None)
    tenant.calendar_settings = settings
    if tenant.calendar_provider == "google":
        tenant.calendar_provider = "builtin"
    session.flush()
    return tenant


def get_tenant_channel_account(
    session: Session, *, tenant_id: int, account_pk: int
) -> ChannelAccount | None:
    """The tenant's channel account with this primary key, or None."""
    return session.execute(
        select(ChannelAccount).where(
            ChannelAccount.tenant_id == tenant_id, ChannelAccount.id == account_pk
        )
    ).scalar_one_or_none()


def delete_tenant_channel_account(session: Session, *, tenant_id: int, account_pk: int) -> bool:
    """Remove the tenant's channel account; False when the tenant has no such account."""
    account = get_tenant_channel_account(session, tenant_id=tenant_id, account_pk=account_pk)
    if account is None:
        return False
    session.delete(account)
    session.flush()
    return True
