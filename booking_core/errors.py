"""The errors the booking services raise for requests that cannot be served (not provider
trouble: that is an outcome, see `booking_core.calendar_writes`)."""

from __future__ import annotations


class UnknownTenantError(LookupError):
    """No tenant has the requested slug (or a stored reference names a deleted tenant)."""


class EventNotFoundError(LookupError):
    """No such event for this contact (also raised for other contacts' and tenants' events)."""


class EventNotChangeableError(ValueError):
    """The event is cancelled or failed, or the requested change is invalid (e.g. in the past)."""


class ChangeCutoffError(EventNotChangeableError):
    """The business's cut-off forbids changing or cancelling a booking this close to its start;
    `contact` is how to reach the business instead (None when it gave none)."""

    def __init__(self, reason: str, contact: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.contact = contact
