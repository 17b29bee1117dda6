"""Calendar providers (built-in database calendar; external ones plug into the registry)."""

from booking_core.calendars.base import (
    BusyInterval,
    CalendarProvider,
    ProviderError,
    ProviderEvent,
    ProviderResult,
)
from booking_core.calendars.registry import get_provider, register_provider

__all__ = [
    "BusyInterval",
    "CalendarProvider",
    "ProviderError",
    "ProviderEvent",
    "ProviderResult",
    "get_provider",
    "register_provider",
]
