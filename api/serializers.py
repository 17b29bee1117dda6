"""Rows to response models. Secrets never leave here: accounts list which secrets are set."""

from __future__ import annotations

from typing import Any

from api import schemas
from booking_core.db.models import ApiKey, CalendarEvent, ChannelAccount, Contact, Message, Tenant
from booking_core.db.repository import google_connection

_SECRET_FIELDS = ("access_token", "app_secret", "verify_token", "bot_token", "webhook_secret")


def google_status(tenant: Tenant) -> schemas.GoogleCalendarStatus:
    """Whether Google is connected (never the token)."""
    google = google_connection(tenant)
    if google is None:
        return schemas.GoogleCalendarStatus(connected=False)
    return schemas.GoogleCalendarStatus(
        connected=True,
        calendar_id=str(google.get("calendar_id") or "primary"),
        connected_at=str(google["connected_at"]) if google.get("connected_at") else None,
    )


def tenant_out(tenant: Tenant) -> schemas.TenantOut:
    return schemas.TenantOut(
        id=tenant.id,
        name=tenant.name,
        slug=tenant.slug,
        timezone=tenant.timezone,
        locale=tenant.locale,
        business_hours=tenant.business_hours or {},
        default_event_minutes=tenant.default_event_minutes,
        booking_rules=tenant.booking_rules or {},
        address=tenant.address,
        map_url=tenant.map_url,
        phone=tenant.phone,
        email=tenant.email,
        calendar_provider=tenant.calendar_provider,
        google_calendar=google_status(tenant),
        created_at=tenant.created_at,
    )


def api_key_out(key: ApiKey) -> schemas.ApiKeyOut:
    return schemas.ApiKeyOut(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


def account_out(account: ChannelAccount) -> schemas.ChannelAccountOut:
    return schemas.ChannelAccountOut(
        id=account.id,
        channel=account.channel,
        account_id=account.account_id,
        secrets_set=[name for name in _SECRET_FIELDS if getattr(account, f"{name}_enc")],
        webhook_secret_set=bool(account.webhook_secret_enc),
        created_at=account.created_at,
        updated_at=account.updated_at,
    )


def contact_out(contact: Contact) -> schemas.ContactOut:
    return schemas.ContactOut(
        id=contact.id,
        channel=contact.channel,
        platform_user_id=contact.platform_user_id,
        display_name=contact.display_name,
        locale=contact.locale,
        created_at=contact.created_at,
        last_inbound_at=contact.last_inbound_at,
    )


def message_out(message: Message) -> schemas.MessageOut:
    return schemas.MessageOut(
        id=message.id,
        contact_id=message.contact_id,
        channel=message.channel,
        direction=message.direction,
        platform_message_id=message.platform_message_id,
        text=message.text,
        payload=message.payload,
        intent=message.intent,
        status=message.status,
        error=message.error,
        created_at=message.created_at,
        sent_at=message.sent_at,
    )


def event_fields(event: CalendarEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "uid": event.uid,
        "contact_id": event.contact_id,
        "title": event.title,
        "location": event.location,
        "service_id": event.service_id,
        "price_cents": event.price_cents,
        "currency": event.currency,
        "start": event.start,
        "end": event.end,
        "timezone": event.timezone,
        "provider": event.provider,
        "status": event.status,
        "link": event.link,
        "error": event.error,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }


def event_out(event: CalendarEvent) -> schemas.EventOut:
    return schemas.EventOut(**event_fields(event))
