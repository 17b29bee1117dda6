"""Crud functions: each takes the session first and everything else by keyword.

Functions flush but never commit; the caller's `session_scope()` owns the transaction.
"""

from booking_core.db.repository.api_keys import (
    create_api_key,
    get_api_key,
    get_api_key_by_secret,
    list_api_keys,
    revoke_api_key,
)
from booking_core.db.repository.channel_accounts import (
    ChannelSecrets,
    create_channel_account,
    decrypt_channel_secrets,
    delete_channel_account,
    get_channel_account,
    get_channel_account_by_secret,
    list_channel_accounts,
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
from booking_core.db.repository.history import (
    booking_conversation,
    get_tenant_message,
    list_contacts,
    list_event_page,
    list_message_page,
    list_published_events,
)
from booking_core.db.repository.key_rotation import rotate_stored_secrets
from booking_core.db.repository.messages import (
    get_message,
    get_message_by_platform_id,
    list_messages,
    mark_message,
    record_message,
)
from booking_core.db.repository.oauth_states import (
    StateOutcome,
    consume_oauth_state,
    issue_oauth_state,
)
from booking_core.db.repository.privacy import (
    ErasureCounts,
    erase_contact,
    export_contact,
    rasa_sender_ids,
)
from booking_core.db.repository.tenant_admin import (
    AlreadyExistsError,
    NotConnectedError,
    clear_google_connection,
    create_tenant,
    delete_tenant_channel_account,
    get_tenant_by_feed_token,
    get_tenant_channel_account,
    google_connection,
    list_tenants,
    rotate_feed_token,
    set_google_connection,
    update_tenant,
)
from booking_core.db.repository.tenants import (
    ensure_default_tenant,
    get_tenant,
    get_tenant_by_slug,
)

__all__ = [
    "AlreadyExistsError",
    "ChannelSecrets",
    "ErasureCounts",
    "NotConnectedError",
    "StateOutcome",
    "booking_conversation",
    "cancel_calendar_event",
    "clear_google_connection",
    "confirm_calendar_event",
    "consume_oauth_state",
    "create_api_key",
    "create_calendar_event",
    "create_channel_account",
    "create_tenant",
    "decrypt_channel_secrets",
    "delete_channel_account",
    "delete_tenant_channel_account",
    "ensure_default_tenant",
    "erase_contact",
    "export_contact",
    "fail_calendar_event",
    "find_overlapping_events",
    "get_api_key",
    "get_api_key_by_secret",
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
    "get_tenant_by_feed_token",
    "get_tenant_by_slug",
    "get_tenant_channel_account",
    "get_tenant_message",
    "google_connection",
    "issue_oauth_state",
    "list_api_keys",
    "list_calendar_events",
    "list_channel_accounts",
    "list_contacts",
    "list_event_page",
    "list_message_page",
    "list_messages",
    "list_published_events",
    "list_tenants",
    "mark_message",
    "rasa_sender_ids",
    "record_message",
    "revoke_api_key",
    "rotate_feed_token",
    "rotate_stored_secrets",
    "set_google_connection",
    "update_channel_account_secrets",
    "update_tenant",
    "upsert_contact",
]
