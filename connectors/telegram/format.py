"""Build Telegram Bot API request bodies (pure): 4096-character chunks, inline keyboards."""

from __future__ import annotations

from typing import Any

from connectors.outgoing import Outgoing
from connectors.text import button_payload, button_reference, chunk_text, utf16_len

TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
MAX_BUTTONS_PER_ROW = 3
SHORT_TITLE = 16


def chat_ref(chat_id: str) -> int | str:
    """Numeric chat ids as integers, @channel names as they are."""
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def inline_keyboard(buttons: list[dict[str, Any]], vertical: bool = False) -> dict[str, Any]:
    """Up to 3 short buttons side by side, otherwise one per row; callback_data <= 64 bytes."""
    keys = [
        {
            "text": str(b.get("title") or button_payload(b)),
            "callback_data": button_reference(button_payload(b), i, CALLBACK_DATA_LIMIT),
        }
        for i, b in enumerate(buttons)
    ]
    side_by_side = (
        not vertical
        and len(keys) <= MAX_BUTTONS_PER_ROW
        and all(len(k["text"]) <= SHORT_TITLE for k in keys)
    )
    rows = [keys] if side_by_side else [[k] for k in keys]
    return {"inline_keyboard": rows}


def telegram_parts(
    chat_id: str,
    *,
    text: str | None = None,
    buttons: list[dict[str, Any]] | None = None,
    image: str | None = None,
    custom: dict[str, Any] | None = None,
    vertical: bool = False,
) -> list[tuple[str, Outgoing]]:
    """(API method, request) pairs for one bot message; the keyboard rides on the last chunk."""
    chat = chat_ref(chat_id)
    parts: list[tuple[str, Outgoing]] = []
    chunks = chunk_text(text or "", TEXT_LIMIT, measure=utf16_len)
    if buttons and not chunks:
        chunks = ["Please choose:"]
    for i, chunk in enumerate(chunks):
        body: dict[str, Any] = {"chat_id": chat, "text": chunk}
        carries = bool(buttons) and i == len(chunks) - 1
        if carries and buttons:
            body["reply_markup"] = inline_keyboard(buttons, vertical)
        parts.append(("sendMessage", Outgoing(body, chunk, list(buttons or []) if carries else [])))
    if image:
        parts.append(("sendPhoto", Outgoing({"chat_id": chat, "photo": image}, None)))
    if custom:
        native = dict(custom)
        method = str(native.pop("method", "sendMessage"))
        parts.append((method, Outgoing({"chat_id": chat, **native}, None)))
    return parts


def answer_callback(query_id: str) -> dict[str, Any]:
    """Stops the button's loading spinner."""
    return {"callback_query_id": query_id}


def remove_keyboard(chat_id: str, message_id: str) -> dict[str, Any]:
    """editMessageReplyMarkup body that removes the inline keyboard after a choice."""
    return {
        "chat_id": chat_ref(chat_id),
        "message_id": int(message_id),
        "reply_markup": {"inline_keyboard": []},
    }


def chat_action(chat_id: str) -> dict[str, Any]:
    """sendChatAction "typing" (shown for 5 s or until the next message)."""
    return {"chat_id": chat_ref(chat_id), "action": "typing"}
