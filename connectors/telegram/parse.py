"""Parse Telegram Bot API updates (pure). One update per webhook call, keyed by update_id."""

from __future__ import annotations

from typing import Any

from connectors.inbound import (
    InboundMessage,
    ParsedBatch,
    ParseError,
    epoch_to_datetime,
    optional_str,
    require_dict,
    require_str,
)
from connectors.storable import storable_inbound
from connectors.whatsapp.parse import load_json

CHANNEL = "telegram"
MEDIA_FIELDS = (
    "photo",
    "document",
    "audio",
    "voice",
    "video",
    "video_note",
    "sticker",
    "animation",
    "contact",
    "poll",
    "dice",
)
#: Bot commands mapped to the assistant's intents (a bare "/start" would be an unknown intent).
COMMANDS = {"start": "/greet", "help": "/help", "stop": "/stop", "cancel": "/stop"}


def _name(user: Any) -> str | None:
    if not isinstance(user, dict):
        return None
    parts = [optional_str(user.get("first_name")), optional_str(user.get("last_name"))]
    name = " ".join(p for p in parts if p)
    return name or optional_str(user.get("username"))


def _language(user: Any) -> str | None:
    return optional_str(user.get("language_code")) if isinstance(user, dict) else None


def command_text(text: str) -> str:
    """ "/start@MyBot payload" -> "/greet"; other text unchanged."""
    if not text.startswith("/"):
        return text
    head = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    command = head.split("@", 1)[0].lower()
    return COMMANDS.get(command, text)


def _message(update_id: str, message: Any, edited: bool) -> InboundMessage | None:
    message = require_dict(message, "message")
    chat = require_dict(message.get("chat"), "message.chat")
    chat_id = require_str(chat.get("id"), "message.chat.id")
    user = message.get("from")
    text = message.get("text")
    extra: dict[str, Any] = {}
    if isinstance(text, str) and text.strip():
        kind, body = ("edit" if edited else "text"), command_text(text)
    elif isinstance(message.get("location"), dict):
        location = message["location"]
        venue = message.get("venue") if isinstance(message.get("venue"), dict) else {}
        extra["location"] = {
            "latitude": location.get("latitude"),
            "longitude": location.get("longitude"),
            "name": venue.get("title"),
            "address": venue.get("address"),
        }
        kind, body = "location", None
    elif any(field in message for field in MEDIA_FIELDS):
        kind, body = "media", None
        extra["media"] = {"type": next(f for f in MEDIA_FIELDS if f in message)}
    else:
        return None  # service messages (members joined, pinned, ...): nothing to answer
    if edited and kind != "edit":
        return None  # an edited caption or media: nothing new to say
    return InboundMessage(
        channel=CHANNEL,
        platform_message_id=update_id,
        platform_user_id=chat_id,
        chat_id=chat_id,
        kind=kind,
        text=body,
        display_name=_name(user) or optional_str(chat.get("title")),
        language=_language(user),
        sent_at=epoch_to_datetime(message.get("edit_date") if edited else message.get("date")),
        extra=extra,
    )


def _callback(update_id: str, query: Any) -> InboundMessage:
    query = require_dict(query, "callback_query")
    query_id = require_str(query.get("id"), "callback_query.id")
    user = require_dict(query.get("from"), "callback_query.from")
    message = query.get("message")
    reply_to = None
    chat_id = require_str(user.get("id"), "callback_query.from.id")
    if isinstance(message, dict) and isinstance(message.get("chat"), dict):
        chat_id = require_str(message["chat"].get("id"), "callback_query.message.chat.id")
        message_id = require_str(message.get("message_id"), "callback_query.message.message_id")
        reply_to = f"{chat_id}:{message_id}"
    return InboundMessage(
        channel=CHANNEL,
        platform_message_id=update_id,
        platform_user_id=chat_id,
        chat_id=chat_id,
        kind="button",
        text=optional_str(query.get("data")),
        display_name=_name(user),
        language=_language(user),
        reply_to=reply_to,
        callback_query_id=query_id,
    )


def parse_telegram(body: bytes | str) -> ParsedBatch:
    """The update's message or button press; other update types are ignored (not errors)."""
    data = load_json(body)
    raw_id = data.get("update_id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int):
        raise ParseError("update_id is missing or not an integer")
    update_id = str(raw_id)
    message: InboundMessage | None
    if "message" in data:
        message = _message(update_id, data["message"], edited=False)
    elif "edited_message" in data:
        message = _message(update_id, data["edited_message"], edited=True)
    elif "callback_query" in data:
        message = _callback(update_id, data["callback_query"])
    else:
        message = None  # my_chat_member, channel_post, inline_query, ...
    if message is None:
        return ParsedBatch(ignored=1)
    return ParsedBatch([storable_inbound(message, data)])
