"""Instagram messaging channel: `connectors.instagram.InstagramInput` in credentials.yml."""

from connectors.instagram.channel import (
    InstagramInput,
    InstagramOutput,
    process_instagram_message,
)

__all__ = [
    "InstagramInput",
    "InstagramOutput",
    "process_instagram_message",
]
