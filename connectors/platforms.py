"""The platform channels credentials.yml names, by Rasa channel class, and their Rasa-free
platforms: read by the ingest process (which never imports Rasa) and by
scripts/enabled_credentials.py (which decides what a launcher starts)."""

from __future__ import annotations

from connectors.instagram.platform import InstagramPlatform
from connectors.platform import Platform
from connectors.telegram.platform import TelegramPlatform
from connectors.whatsapp.platform import WhatsAppPlatform

PLATFORMS: dict[str, type[Platform]] = {
    "connectors.whatsapp.WhatsAppInput": WhatsAppPlatform,
    "connectors.telegram.TelegramInput": TelegramPlatform,
    "connectors.instagram.InstagramInput": InstagramPlatform,
}
