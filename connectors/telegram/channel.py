"""Telegram as a Rasa channel (`connectors.telegram.TelegramInput` in credentials.yml): GET/POST
/telegram_webhook; the platform itself is connectors.telegram.platform (Rasa-free)."""

from __future__ import annotations

from typing import ClassVar

from connectors.outbound import PlatformOutput
from connectors.platform import Platform
from connectors.telegram.platform import TelegramPlatform
from connectors.webhook import WebhookInput


class TelegramOutput(PlatformOutput):
    """Rasa's responses as Telegram messages (collected, queued, sent by the outbox sender)."""

    channel_name = "telegram"


class TelegramInput(WebhookInput):
    """The Telegram webhook; the default tenant's account comes from credentials.yml."""

    platform_class: ClassVar[type[Platform]] = TelegramPlatform
    output_class: ClassVar[type[PlatformOutput]] = TelegramOutput
