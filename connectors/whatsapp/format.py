"""Build WhatsApp Cloud API message bodies (pure), within the platform's limits."""

from __future__ import annotations

from typing import Any

from connectors.outgoing import Outgoing
from connectors.text import button_payload, button_reference, chunk_text, truncate

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
MAX_REPLY_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
MAX_LIST_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
ROW_ID_LIMIT = 200
LIST_BUTTON_LABEL = "Choose"
DEFAULT_BODY = "Please choose:"


def envelope(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """A /messages request body."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }


def text_parts(to: str, text: str) -> list[Outgoing]:
    """Plain text, one message per 4096-character chunk."""
    return [
        Outgoing(envelope(to, "text", {"preview_url": False, "body": chunk}), chunk)
        for chunk in chunk_text(text, TEXT_LIMIT)
    ]


def _reply_buttons(to: str, body: str, buttons: list[dict[str, Any]]) -> Outgoing:
    rows = [
        {
            "type": "reply",
            "reply": {
                "id": button_reference(button_payload(b), i, BUTTON_ID_LIMIT),
                "title": truncate(str(b.get("title") or button_payload(b)), BUTTON_TITLE_LIMIT),
            },
        }
        for i, b in enumerate(buttons)
    ]
    content = {"type": "button", "body": {"text": body}, "action": {"buttons": rows}}
    return Outgoing(envelope(to, "interactive", content), body, buttons)


def _list(to: str, body: str, buttons: list[dict[str, Any]]) -> Outgoing:
    rows = []
    for i, b in enumerate(buttons):
        title = " ".join(str(b.get("title") or button_payload(b)).split())
        row: dict[str, Any] = {
            "id": button_reference(button_payload(b), i, ROW_ID_LIMIT),
            "title": truncate(title, ROW_TITLE_LIMIT),
        }
        if len(title) > ROW_TITLE_LIMIT:
            row["description"] = truncate(title, ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    content = {
        "type": "list",
        "body": {"text": body},
        "action": {"button": LIST_BUTTON_LABEL, "sections": [{"rows": rows}]},
    }
    return Outgoing(envelope(to, "interactive", content), body, buttons)


def button_parts(to: str, text: str, buttons: list[dict[str, Any]]) -> list[Outgoing]:
    """Text with buttons: up to 3 as reply buttons, more as list messages of up to 10 rows.

    The interactive body holds at most 1024 characters, so longer text goes first as text.
    """
    chunks = chunk_text(text, TEXT_LIMIT) or [DEFAULT_BODY]
    body = chunks.pop()
    if len(body) > BODY_LIMIT:
        pieces = chunk_text(body, BODY_LIMIT)
        body = pieces.pop()
        chunks += pieces
    parts = [Outgoing(envelope(to, "text", {"preview_url": False, "body": c}), c) for c in chunks]
    if len(buttons) <= MAX_REPLY_BUTTONS:
        return [*parts, _reply_buttons(to, body, buttons)]
    for start in range(0, len(buttons), MAX_LIST_ROWS):
        group = buttons[start : start + MAX_LIST_ROWS]
        parts.append(_list(to, body if start == 0 else DEFAULT_BODY, group))
    return parts


def image_part(to: str, url: str) -> Outgoing:
    """An image by link."""
    return Outgoing(envelope(to, "image", {"link": url}), None)


def custom_part(to: str, custom: dict[str, Any]) -> Outgoing:
    """A native body from a `custom` response (recipient and product filled in)."""
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", **custom, "to": to}
    return Outgoing(body, None)


def whatsapp_parts(
    to: str,
    *,
    text: str | None = None,
    buttons: list[dict[str, Any]] | None = None,
    image: str | None = None,
    custom: dict[str, Any] | None = None,
) -> list[Outgoing]:
    """The requests that deliver one bot message."""
    parts: list[Outgoing] = []
    if buttons:
        parts += button_parts(to, text or "", buttons)
    elif text:
        parts += text_parts(to, text)
    if image:
        parts.append(image_part(to, image))
    if custom:
        parts.append(custom_part(to, custom))
    return parts


def read_receipt(wamid: str, *, typing: bool = True) -> dict[str, Any]:
    """Mark the user's message read and (optionally) show the typing indicator for up to 25 s."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return body
