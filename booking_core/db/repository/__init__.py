"""Crud functions: each takes the session first and everything else by keyword.

Functions flush but never commit; the caller's `session_scope()` owns the transaction.
"""

from booking_core.db.repository.channel_accounts import (
    ChannelSecrets,
    create_channel_account,
    decrypt_channel_secrets,
    delete_channel_account,
    get_channel_account,
    get_channel_account_by_secret,
    list_channel_accounts,
    rotate_channel_account_secrets,
    update_channel_account_secrets,
)
from booking_core.db.repository.contacts import (
    get_contact,
    get_contact_by_platform_id,
    upsert_contact,
)
from booking_core.db.repository.events import (
    cancel_calendar_event,
    confirm_calendar_event,
    create_calendar_event,
    fail_calendar_event,
    find_overlapping_events,
    get_calendar_event,
    get_calendar_event_by_idempotency_key,
    get_calendar_event_by_uid,
    list_calendar_events,
)
from booking_core.db.repository.messages import (
    get_message,
    get_message_by_platform_id,
    list_messages,
    mark_message,
    record_message,
)
from booking_core.db.repository.tenants import (
    ensure_default_tenant,
    get_tenant,
    get_tenant_by_slug,
)

__all__ = [
    "ChannelSecrets",
    "cancel_calendar_event",
    "confirm_calendar_event",
    "create_calendar_event",
    "create_channel_account",
    "decrypt_channel_secrets",
    "delete_channel_account",
    "ensure_default_tenant",
    "fail_calendar_event",
    "find_overlapping_events",
    "get_calendar_event",
    "get_calendar_event_by_idempotency_key",
    "get_calendar_event_by_uid",
    "get_channel_account",
    "get_channel_account_by_secret",
    "get_contact",
    "get_contact_by_platform_id",
    "get_message",
    "get_message_by_platform_id",
    "get_tenant",
    "get_tenant_by_slug",
    "list_calendar_events",
    "list_channel_accounts",
    "list_messages",
    "mark_message",
    "record_message",
    "rotate_channel_account_secrets",
    "update_channel_account_secrets",
    "upsert_contact",
]
