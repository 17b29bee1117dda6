"""Per-conversation context the actions need: the tenant's zone, channel and clock."""

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


def tenant_slug(tracker: Tracker) -> str | None:
    """The tenant the conversation belongs to (None: the default tenant)."""
    slug = message_metadata(tracker).get("tenant")
    return str(slug) if slug else None


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
    """The user's id on the platform (connectors pass it; REST/shell use the sender id)."""
    return str(message_metadata(tracker).get("platform_user_id") or tracker.sender_id)
