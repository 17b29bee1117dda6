"""Per-conversation context the actions need: the tenant, the user, the zone and the clock.

Who a conversation belongs to is read from what the server decided, never from what a client
sent: the input channel Rasa recorded and the conversation id, which the channels build as
`<tenant slug>:<channel>:<user id>` from the credentials that authenticated the message
(connectors/webhook.py, connectors/rest.py). The message metadata only adds details (the
tenant's zone, a display name). A conversation outside that namespace (`rasa shell`, one
started through Rasa's authenticated HTTP API) belongs to the default tenant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rasa_sdk import Tracker

from booking_core.db.models import CHANNELS
from booking_core.settings import get_settings

# The clock, replaceable in tests so that no test depends on today's date.
utc_now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # noqa: E731


def message_metadata(tracker: Tracker) -> dict[str, Any]:
    """Metadata the channel attached to the latest user message (tenant, zone, ids)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return dict(metadata) if isinstance(metadata, dict) else {}


def tenant_timezone(tracker: Tracker) -> str:
    """The tenant's IANA zone: from the channel's metadata, else the configured default."""
    zone = message_metadata(tracker).get("timezone")
    if isinstance(zone, str):
        try:
            ZoneInfo(zone)
            return zone
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return get_settings().default_timezone


#: Channels whose conversation ids carry the tenant: `<tenant slug>:<channel>:<user id>`.
NAMESPACED_CHANNELS = frozenset({"whatsapp", "telegram", "instagram", "rest"})


def conversation_owner(tracker: Tracker) -> tuple[str | None, str]:
    """(tenant slug or None for the default tenant, the user's id on the channel)."""
    sender = str(tracker.sender_id)
    channel = channel_name(tracker)
    parts = sender.split(":", 2)
    if channel in NAMESPACED_CHANNELS and len(parts) == 3 and parts[1] == channel:
        slug, _, user = parts
        if slug and user:
            return slug, user
    return None, sender


def tenant_slug(tracker: Tracker) -> str | None:
    """The tenant the conversation belongs to (None: the default tenant)."""
    return conversation_owner(tracker)[0]


# Rasa's names for channels that the data layer knows under another name.
_CHANNEL_ALIASES = {"cmdline": "shell"}


def channel_name(tracker: Tracker) -> str:
    """The data layer's name of the latest message's channel ("rest", "shell", "whatsapp"...)."""
    channel = tracker.get_latest_input_channel() or "rest"
    channel = _CHANNEL_ALIASES.get(channel, channel)
    return channel if channel in CHANNELS else "rest"


def now_in(tracker: Tracker) -> datetime:
    """The current time in the tenant's zone."""
    return utc_now().astimezone(ZoneInfo(tenant_timezone(tracker)))


def platform_user_id(tracker: Tracker) -> str:
    """The user's id on the platform (the REST sender; the shell's conversation id)."""
    return conversation_owner(tracker)[1]
