"""Parse WhatsApp Cloud API webhooks (pure): every entry, change, message and status."""

from __future__ import annotations

import json
from typing import Any

from connectors.inbound import (
    InboundMessage,
    ParsedBatch,
    ParseError,
    StatusUpdate,
    epoch_to_datetime,
    objects_of,
    optional_id,
    optional_str,
    require_dict,
    require_list,
    require_str,
)
from connectors.storable import storable_inbound, storable_status

CHANNEL = "whatsapp"
MEDIA_TYPES = frozenset({"image", "audio", "voice", "video", "document", "sticker"})
#: Not messages to answer: reactions and system notices are stored nowhere.
IGNORED_TYPES = frozenset({"reaction", "system", "ephemeral", "request_welcome"})


def load_json(body: bytes | str) -> dict[str, Any]:
    """The body as a JSON object, or ParseError."""
    try:
        data = json.loads(body)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ParseError("body is not valid JSON") from exc
    return require_dict(data, "body")


def _contacts(value: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """wa_id / user_id -> contact, so each message finds its sender's profile name."""
    found: dict[str, dict[str, Any]] = {}
    for contact in require_list(value.get("contacts", []), "value.contacts"):
        contact = require_dict(contact, "value.contacts[]")
        for key in ("wa_id", "user_id"):
            ident = optional_str(contact.get(key))
            if ident:
                found[ident] = contact
    return found


def _profile_name(contact: dict[str, Any] | None) -> str | None:
    profile = contact.get("profile") if contact else None
    return optional_str(profile.get("name")) if isinstance(profile, dict) else None


def _content(message: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    """(kind, text for Rasa, extra) of one message by its type."""
    kind = optional_str(message.get("type")) or "unsupported"
    if kind == "text":
        content = require_dict(message.get("text"), "message.text")
        return "text", require_str(content.get("body"), "message.text.body"), {}
    if kind == "interactive":
        interactive = require_dict(message.get("interactive"), "message.interactive")
        reply_type = optional_str(interactive.get("type")) or ""
        if reply_type in ("button_reply", "list_reply"):
            reply = require_dict(interactive.get(reply_type), f"interactive.{reply_type}")
            ident = require_str(reply.get("id"), f"interactive.{reply_type}.id")
            return "button", ident, {"title": optional_str(reply.get("title"))}
        return "unsupported", None, {"interactive_type": reply_type}
    if kind == "button":  # a quick-reply button of a template message
        button = require_dict(message.get("button"), "message.button")
        payload = optional_str(button.get("payload"))
        label = optional_str(button.get("text"))
        text = payload if payload and payload.startswith("/") else (label or payload)
        if not text:
            raise ParseError("message.button has neither payload nor text")
        return "button", text, {"title": label}
    if kind == "location":
        location = require_dict(message.get("location"), "message.location")
        keys = ("latitude", "longitude", "name", "address")
        return "location", None, {"location": {k: location.get(k) for k in keys}}
    if kind in MEDIA_TYPES:
        media = message.get(kind)
        media = media if isinstance(media, dict) else {}
        described = {
            "type": kind,
            "id": optional_str(media.get("id")),
            "mime_type": optional_str(media.get("mime_type")),
        }
        return "media", None, {"media": described}
    return "unsupported", None, {"type": kind}


def _message(
    message: Any, phone_number_id: str, contacts: dict[str, dict[str, Any]]
) -> InboundMessage | None:
    message = require_dict(message, "value.messages[]")
    wamid = require_str(message.get("id"), "message.id")
    if optional_str(message.get("type")) in IGNORED_TYPES:
        return None
    # Username users may withhold the phone number: fall back to the business-scoped user id.
    sender = optional_str(message.get("from")) or optional_str(message.get("from_user_id"))
    if sender is None and len({id(c) for c in contacts.values()}) == 1:
        only = next(iter(contacts.values()))
        sender = optional_str(only.get("wa_id")) or optional_str(only.get("user_id"))
    if sender is None:
        raise ParseError("message.from is missing")
    kind, text, extra = _content(message)
    context = message.get("context")
    reply_to = optional_str(context.get("id")) if isinstance(context, dict) else None
    contact = contacts.get(sender)
    parsed = InboundMessage(
        channel=CHANNEL,
        platform_message_id=wamid,
        platform_user_id=sender,
        chat_id=sender,
        kind=kind,
        text=text,
        account_id=phone_number_id,
        display_name=_profile_name(contact),
        sent_at=epoch_to_datetime(message.get("timestamp")),
        reply_to=reply_to,
        extra=extra,
    )
    as_received = {"contacts": [contact] if contact else [], "messages": [message]}
    return storable_inbound(parsed, as_received)


def _status(status: Any, phone_number_id: str) -> StatusUpdate:
    status = require_dict(status, "value.statuses[]")
    error = None
    errors = status.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        detail = first.get("error_data", {})
        details = detail.get("details") if isinstance(detail, dict) else None
        error = f"{first.get('code')}: {first.get('title') or first.get('message')}"
        if details:
            error += f" ({details})"
    update = StatusUpdate(
        channel=CHANNEL,
        platform_message_id=require_str(status.get("id"), "status.id"),
        status=require_str(status.get("status"), "status.status"),
        account_id=phone_number_id,
        error=error,
    )
    return storable_status(update)


def whatsapp_account_ids(data: dict[str, Any]) -> frozenset[str]:
    """The phone number ids a decoded body names (entry[].changes[].value.metadata
    .phone_number_id): whose app secrets its signature is checked with. Read leniently, never
    raising: a part shaped otherwise names nothing (and `whatsapp_batch` refuses the body)."""
    found: set[str] = set()
    for entry in objects_of(data.get("entry")):
        for change in objects_of(entry.get("changes")):
            value = change.get("value")
            metadata = value.get("metadata") if isinstance(value, dict) else None
            if isinstance(metadata, dict):
                found.add(optional_id(metadata.get("phone_number_id")) or "")
    return frozenset(found - {""})


def parse_whatsapp(body: bytes | str) -> ParsedBatch:
    """All messages and statuses of a webhook body; ParseError for anything else."""
    return whatsapp_batch(load_json(body))


def whatsapp_batch(data: dict[str, Any]) -> ParsedBatch:
    """`parse_whatsapp` of a body already decoded (the signature check decodes it first)."""
    if data.get("object") != "whatsapp_business_account":
        raise ParseError("object is not whatsapp_business_account")
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    ignored = 0
    for entry in require_list(data.get("entry"), "entry"):
        entry = require_dict(entry, "entry[]")
        for change in require_list(entry.get("changes"), "entry[].changes"):
            change = require_dict(change, "changes[]")
            if change.get("field") != "messages":
                ignored += 1
                continue
            value = require_dict(change.get("value"), "changes[].value")
            metadata = require_dict(value.get("metadata"), "value.metadata")
            phone_number_id = require_str(metadata.get("phone_number_id"), "phone_number_id")
            contacts = _contacts(value)
            for raw in require_list(value.get("messages", []), "value.messages"):
                message = _message(raw, phone_number_id, contacts)
                if message is None:
                    ignored += 1
                else:
                    messages.append(message)
            statuses += [
                _status(raw, phone_number_id)
                for raw in require_list(value.get("statuses", []), "value.statuses")
            ]
    return ParsedBatch(messages, statuses, ignored)
