"""The errors the booking services raise for requests that cannot be served (not provider
trouble: that is an outcome, see `booking_core.calendar_writes`)."""

from __future__ import annotations


class UnknownTenantError(LookupError):
    """No tenant has the requested slug (or a stored reference names a deleted tenant)."""


class EventNotFoundError(LookupError):
    """No such event for this contact (also raised for other contacts' and tenants' events)."""


class EventNotChangeableError(ValueError):
    """The event is cancelled or failed, or the requested change is invalid (e.g. in the past)."""
