"""Telegram channel: `connectors.telegram.TelegramInput` in credentials.yml
(a Rasa channel, loaded on first use, so importing this package's Rasa-free modules never
loads Rasa), the platform (`connectors.telegram.platform`)
and the public `send_telegram_message`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from connectors.send import send_telegram_message

if TYPE_CHECKING:
    from connectors.telegram.channel import TelegramInput, TelegramOutput

__all__ = ["TelegramInput", "TelegramOutput", "send_telegram_message"]
_CHANNEL = frozenset({"TelegramInput", "TelegramOutput"})


def __getattr__(name: str) -> Any:
    """TelegramInput and TelegramOutput, imported (with Rasa) when first asked for."""
    if name in _CHANNEL:
        return getattr(importlib.import_module(f"{__name__}.channel"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
