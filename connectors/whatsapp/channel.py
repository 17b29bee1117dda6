"""WhatsApp as a Rasa channel (`connectors.whatsapp.WhatsAppInput` in credentials.yml): GET/POST
/whatsapp_webhook; the platform itself is connectors.whatsapp.platform (Rasa-free)."""

from __future__ import annotations

from typing import ClassVar

from connectors.outbound import PlatformOutput
from connectors.platform import Platform
from connectors.webhook import WebhookInput
from connectors.whatsapp.platform import WhatsAppPlatform


class WhatsAppOutput(PlatformOutput):
    """Rasa's responses as WhatsApp messages (collected, queued, sent by the outbox sender)."""

    channel_name = "whatsapp"


class WhatsAppInput(WebhookInput):
    """The WhatsApp webhook; the default tenant's account comes from credentials.yml."""

    platform_class: ClassVar[type[Platform]] = WhatsAppPlatform
    output_class: ClassVar[type[PlatformOutput]] = WhatsAppOutput
