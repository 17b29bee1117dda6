"""THE definition of each platform's messaging window: how long after the customer's last
message a business may send them a free-form message.

Meta allows free-form messages on WhatsApp and Instagram only within 24 hours of the customer's
last message (its "customer service window"; outside it WhatsApp needs a pre-approved template,
which a tenant would have to register). Telegram has no such window, but a bot can only write
to someone who wrote to it first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

#: Meta's customer service window (WhatsApp and Instagram).
META_CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)

#: Each platform's window; None: no time limit.
WINDOWS: dict[str, timedelta | None] = {
    "whatsapp": META_CUSTOMER_SERVICE_WINDOW,
    "instagram": META_CUSTOMER_SERVICE_WINDOW,
    "telegram": None,
}


def window_for(channel: str) -> timedelta | None:
    """`channel`'s window (None: unlimited, also for channels without a platform)."""
    return WINDOWS.get(channel)


def within(window: timedelta, at: datetime, now: datetime) -> bool:
    """Whether `at` is no older than `window` at `now`: the one comparison of a window."""
    return now - at <= window


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours >= 1 else f"{span.total_seconds() / 60:.0f} minutes"


def closed_reason(channel: str, last_inbound_at: datetime | None, now: datetime) -> str | None:
    """Why `channel` refuses a free-form message to a customer who last wrote at
    `last_inbound_at`; None when the window is open."""
    if last_inbound_at is None:
        return f"{channel}: this customer never wrote; a business cannot start the conversation"
    window = window_for(channel)
    if window is None or within(window, last_inbound_at, now):
        return None
    return (
        f"{channel}: last message from this customer was {_hours(now - last_inbound_at)} ago; "
        f"Meta allows free-form messages only within {_hours(window)}"
    )
