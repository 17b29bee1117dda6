"""A booking made without a conversation (the admin API's POST /events): judged by the same
availability check as the assistant's confirmation (hours, clashes, every booking rule), then
written by the same booking service. The assistant's own path runs the two steps apart, with the
customer's "yes" between them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from booking_core.availability import Availability, check_availability
from booking_core.booking import BookingOutcome, submit_booking


@dataclass(frozen=True)
class CheckedBooking:
    """The verdict and, when it allowed the booking, what the booking service did."""

    availability: Availability
    outcome: BookingOutcome | None = None


def book_if_allowed(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    display_name: str | None,
    title: str,
    start: datetime,
    end: datetime,
    timezone: str,
    location: str | None = None,
    service_id: int | None = None,
    now: datetime | None = None,
) -> CheckedBooking:
    """Book [start, end) for the contact when nothing stands in the way; otherwise only the
    verdict (clashes, closed hours, the rules broken and the nearest allowed times)."""
    verdict = check_availability(
        tenant_slug=tenant_slug, channel=channel, platform_user_id=platform_user_id,
        start=start, end=end, now=now, service_id=service_id,
    )  # fmt: skip
    if not verdict.available:
        return CheckedBooking(verdict)
    outcome = submit_booking(
        tenant_slug=tenant_slug, channel=channel, platform_user_id=platform_user_id,
        display_name=display_name, title=title, start=start, end=end, timezone=timezone,
        location=location, service_id=service_id,
    )  # fmt: skip
    return CheckedBooking(verdict, outcome)
