"""WhatsApp channel: `connectors.whatsapp.WhatsAppInput` in credentials.yml
(a Rasa channel, loaded on first use, so importing this package's Rasa-free modules never
loads Rasa), the platform (`connectors.whatsapp.platform`)
and the public `send_whatsapp_message`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from connectors.send import send_whatsapp_message

if TYPE_CHECKING:
    from connectors.whatsapp.channel import WhatsAppInput, WhatsAppOutput

__all__ = ["WhatsAppInput", "WhatsAppOutput", "send_whatsapp_message"]
_CHANNEL = frozenset({"WhatsAppInput", "WhatsAppOutput"})


def __getattr__(name: str) -> Any:
    """WhatsAppInput and WhatsAppOutput, imported (with Rasa) when first asked for."""
    if name in _CHANNEL:
        return getattr(importlib.import_module(f"{__name__}.channel"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
