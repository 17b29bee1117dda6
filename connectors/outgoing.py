"""The platform-neutral shape of one message request the bot sends (built by pure formatters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Outgoing:
    """One platform request that sends a message; `buttons` are Rasa's buttons it carries
    (stored with the outbound row so a "#<index>" button reference can be resolved later)."""

    body: dict[str, Any]
    text: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    #: The API method where the platform has several (Telegram: sendMessage, sendPhoto, ...).
    method: str = ""
