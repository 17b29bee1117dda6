"""Build Instagram messaging request bodies (pure): text chunks, quick replies, images."""

from __future__ import annotations

import logging
from typing import Any

from connectors.outgoing import Outgoing
from connectors.text import button_payload, chunk_text, truncate

logger = logging.getLogger(__name__)

#: Instagram rejects text over 1000 characters (its own limit, below the 4096 of the others).
TEXT_LIMIT = 1000
MAX_QUICK_REPLIES = 13
QUICK_REPLY_TITLE_LIMIT = 20
PAYLOAD_LIMIT = 1000


def _quick_replies(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(buttons) > MAX_QUICK_REPLIES:
        logger.warning(
            "Instagram shows at most %d quick replies; %d dropped",
            MAX_QUICK_REPLIES,
            len(buttons) - MAX_QUICK_REPLIES,
        )
    replies = []
    for button in buttons[:MAX_QUICK_REPLIES]:
        title = str(button.get("title") or button_payload(button))
        payload = button_payload(button)
        if len(payload) > PAYLOAD_LIMIT:
            payload = title  # the title goes through NLU instead
        replies.append(
            {
                "content_type": "text",
                "title": truncate(title, QUICK_REPLY_TITLE_LIMIT),
                "payload": payload,
            }
        )
    return replies


def instagram_parts(
    recipient: str,
    *,
    text: str | None = None,
    buttons: list[dict[str, Any]] | None = None,
    image: str | None = None,
    custom: dict[str, Any] | None = None,
) -> list[Outgoing]:
    """The requests for one bot message; quick replies ride on the last text chunk."""
    to = {"id": recipient}
    parts: list[Outgoing] = []
    chunks = chunk_text(text or "", TEXT_LIMIT)
    if buttons and not chunks:
        chunks = ["Please choose:"]
    for i, chunk in enumerate(chunks):
        message: dict[str, Any] = {"text": chunk}
        carries = bool(buttons) and i == len(chunks) - 1
        if carries and buttons:
            message["quick_replies"] = _quick_replies(buttons)
        body = {"recipient": to, "message": message}
        parts.append(Outgoing(body, chunk, list(buttons or []) if carries else []))
    if image:
        attachment = {"type": "image", "payload": {"url": image}}
        parts.append(Outgoing({"recipient": to, "message": {"attachment": attachment}}, None))
    if custom:
        parts.append(Outgoing({"recipient": to, "message": custom}, None))
    return parts


def sender_action(recipient: str, action: str) -> dict[str, Any]:
    """ "mark_seen" or "typing_on"."""
    return {"recipient": {"id": recipient}, "sender_action": action}
