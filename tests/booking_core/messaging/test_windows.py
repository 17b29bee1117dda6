"""The platforms' messaging windows: Meta's 24 hours for WhatsApp and Instagram, none for
Telegram; the one definition every copy uses."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from booking_core.messaging.windows import (
    META_CUSTOMER_SERVICE_WINDOW,
    closed_reason,
    window_for,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def test_each_platform_s_window() -> None:
    assert timedelta(hours=24) == META_CUSTOMER_SERVICE_WINDOW
    assert window_for("whatsapp") == window_for("instagram") == META_CUSTOMER_SERVICE_WINDOW
    assert window_for("telegram") is None and window_for("rest") is None


def test_closed_reason_says_why() -> None:
    assert closed_reason("whatsapp", NOW - timedelta(hours=24), NOW) is None
    assert closed_reason("whatsapp", NOW - timedelta(hours=30), NOW) == (
        "whatsapp: last message from this customer was 30 hours ago; "
        "Meta allows free-form messages only within 24 hours"
    )
    assert closed_reason("telegram", NOW - timedelta(days=300), NOW) is None
    assert "never wrote" in (closed_reason("telegram", None, NOW) or "")


def test_the_channels_use_the_one_window() -> None:
    from connectors.instagram.platform import InstagramPlatform
    from connectors.whatsapp.platform import WhatsAppPlatform

    assert WhatsAppPlatform.reply_window is META_CUSTOMER_SERVICE_WINDOW
    assert InstagramPlatform.reply_window is META_CUSTOMER_SERVICE_WINDOW
