"""The platform-neutral shape of one message request the bot sends (built by pure formatters;
the record is the queues', booking_core.messaging.records)."""

from __future__ import annotations

from booking_core.messaging.records import Outgoing

__all__ = ["Outgoing"]
