"""Instagram channel: `connectors.instagram.InstagramInput` in credentials.yml
(a Rasa channel, loaded on first use, so importing this package's Rasa-free modules never
loads Rasa), the platform (`connectors.instagram.platform`)
and the public `send_instagram_message`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from connectors.send import send_instagram_message

if TYPE_CHECKING:
    from connectors.instagram.channel import InstagramInput, InstagramOutput

__all__ = ["InstagramInput", "InstagramOutput", "send_instagram_message"]
_CHANNEL = frozenset({"InstagramInput", "InstagramOutput"})


def __getattr__(name: str) -> Any:
    """InstagramInput and InstagramOutput, imported (with Rasa) when first asked for."""
    if name in _CHANNEL:
        return getattr(importlib.import_module(f"{__name__}.channel"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
