"""The public send API: queue a message to a customer of a platform, sent later by the outbox
sender (connectors.sending) like any reply, so it is durable, sent once and kept in history.

    send_whatsapp_message(tenant_id, "447700900123", "Your table is ready", buttons=[...])

Rasa-free (re-exported by connectors.whatsapp, .telegram, .instagram). Refused, by raising
`booking_core.messaging.outbox.OutsideWindowError` (a ValueError saying why), when the platform
would refuse it: WhatsApp and Instagram accept free-form messages only within 24 hours of the
customer's last message. `UnknownContactError`: the customer never wrote to the tenant there.
"""

from __future__ import annotations

from typing import Any

from booking_core.db.models import ACCOUNT_CHANNELS
from booking_core.messaging.outbox import queue_message
from booking_core.messaging.records import StoredMessage


def send_message(
    channel: str,
    tenant_id: int,
    recipient: str,
    text: str,
    buttons: list[dict[str, Any]] | None = None,
    *,
    database_url: str | None = None,
) -> StoredMessage:
    """Queue `text` (with `buttons`, Rasa's {"title", "payload"} shape) to `recipient` (the
    platform user id: WhatsApp wa_id, Telegram chat id, Instagram IGSID) of `tenant_id`."""
    if channel not in ACCOUNT_CHANNELS:
        raise ValueError(
            f"unknown messaging platform {channel!r}; one of {', '.join(ACCOUNT_CHANNELS)}"
        )
    if not recipient:
        raise ValueError("no recipient")
    if not text.strip() and not buttons:
        raise ValueError("nothing to send: empty text and no buttons")
    return queue_message(database_url, tenant_id=tenant_id, channel=channel, recipient=recipient,
                         text=text, buttons=buttons or None)  # fmt: skip


def send_whatsapp_message(
    tenant_id: int,
    recipient: str,
    text: str,
    buttons: list[dict[str, Any]] | None = None,
    *,
    database_url: str | None = None,
) -> StoredMessage:
    """Queue a WhatsApp message (refused outside the 24-hour window; see the module)."""
    return send_message("whatsapp", tenant_id, recipient, text, buttons, database_url=database_url)


def send_telegram_message(
    tenant_id: int,
    recipient: str,
    text: str,
    buttons: list[dict[str, Any]] | None = None,
    *,
    database_url: str | None = None,
) -> StoredMessage:
    """Queue a Telegram message (no window; the chat must have written to the bot)."""
    return send_message("telegram", tenant_id, recipient, text, buttons, database_url=database_url)


def send_instagram_message(
    tenant_id: int,
    recipient: str,
    text: str,
    buttons: list[dict[str, Any]] | None = None,
    *,
    database_url: str | None = None,
) -> StoredMessage:
    """Queue an Instagram message (refused outside the 24-hour window; see the module)."""
    return send_message("instagram", tenant_id, recipient, text, buttons, database_url=database_url)
