"""Bookings for tests: `book_event`, one provider attempt that either confirms or raises.

It was a product function that only tests called; the product books through
`booking_core.booking.submit_booking`, whose outcome says deferred / needs_reauth / failed
instead of raising. This keeps the old contract on top of it: one attempt, no deferral (the row
is `failed` on any provider trouble) and `BookingError`.
"""

from __future__ import annotations

from typing import Any

from booking_core.booking import CONFIRMED, BookingResult, submit_booking
from booking_core.calendar_writes import DEFERRED
from booking_core.db.repository import fail_calendar_event
from booking_core.db.session import session_scope
from booking_core.retry_policy import NO_RETRY


class BookingError(Exception):
    """The calendar provider refused or failed; the event row is kept with status `failed`.

    Calling `book_event` again with the same arguments retries the same event.
    """

    def __init__(self, message: str, *, event_id: int, uid: str, retryable: bool) -> None:
        super().__init__(message)
        self.event_id = event_id
        self.uid = uid
        self.retryable = retryable


def book_event(**request: Any) -> BookingResult:
    """Store and write one event (`submit_booking`'s keyword arguments) with a single provider
    attempt.

    Raises ValueError for invalid input, UnknownTenantError for an unknown slug and
    BookingError (row `failed`; `retryable` for an outage) when the provider does not confirm.
    """
    outcome = submit_booking(**request, retry=NO_RETRY)
    if outcome.outcome == CONFIRMED:
        return outcome.booking
    booking = outcome.booking
    if outcome.saved:  # deferred or needs_reauth: this contract fails the row instead
        with session_scope() as session:
            fail_calendar_event(session, event_id=booking.event_id, error=outcome.error or "")
    raise BookingError(
        f"calendar provider failed: {outcome.error}",
        event_id=booking.event_id,
        uid=booking.uid,
        retryable=outcome.outcome == DEFERRED,
    )
