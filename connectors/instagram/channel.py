"""Instagram as a Rasa channel (`connectors.instagram.InstagramInput` in credentials.yml): GET/POST
/instagram_webhook; the platform itself is connectors.instagram.platform (Rasa-free)."""

from __future__ import annotations

from typing import ClassVar

from connectors.instagram.platform import InstagramPlatform
from connectors.outbound import PlatformOutput
from connectors.platform import Platform
from connectors.webhook import WebhookInput


class InstagramOutput(PlatformOutput):
    """Rasa's responses as Instagram messages (collected, queued, sent by the outbox sender)."""

    channel_name = "instagram"


class InstagramInput(WebhookInput):
    """The Instagram webhook; the default tenant's account comes from credentials.yml."""

    platform_class: ClassVar[type[Platform]] = InstagramPlatform
    output_class: ClassVar[type[PlatformOutput]] = InstagramOutput
