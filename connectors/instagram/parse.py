"""Parse Instagram messaging webhooks (pure): every entry and messaging item of a batch."""

from __future__ import annotations

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
from connectors.whatsapp.parse import load_json

CHANNEL = "instagram"


def _attachments(message: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    attachments = message.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return "unsupported", {}
    first = attachments[0] if isinstance(attachments[0], dict) else {}
    kind = optional_str(first.get("type")) or "unknown"
    payload = first.get("payload") if isinstance(first.get("payload"), dict) else {}
    if kind == "location":
        coordinates = payload.get("coordinates") if isinstance(payload, dict) else None
        coordinates = coordinates if isinstance(coordinates, dict) else {}
        return "location", {
            "location": {"latitude": coordinates.get("lat"), "longitude": coordinates.get("long")}
        }
    if kind in ("unsupported_type", "unknown"):
        return "unsupported", {"type": kind}
    return "media", {"media": {"type": kind}}


def _item(item: Any, account_id: str) -> InboundMessage | StatusUpdate | None:
    item = require_dict(item, "messaging[]")
    sender = require_str(require_dict(item.get("sender"), "sender").get("id"), "sender.id")
    if sender == account_id:
        return None  # the business's own message
    sent_at = epoch_to_datetime(item.get("timestamp"), millis=True)
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "platform_user_id": sender,
        "chat_id": sender,
        "account_id": account_id,
        "sent_at": sent_at,
    }
    if "message" in item:
        message = require_dict(item["message"], "message")
        if message.get("is_echo") or message.get("is_deleted"):
            return None
        mid = require_str(message.get("mid"), "message.mid")
        quick_reply = message.get("quick_reply")
        if isinstance(quick_reply, dict) and optional_str(quick_reply.get("payload")):
            return InboundMessage(
                platform_message_id=mid, kind="button", text=str(quick_reply["payload"]), **common
            )
        text = optional_str(message.get("text"))
        if text and text.strip():
            return InboundMessage(platform_message_id=mid, kind="text", text=text, **common)
        kind, extra = _attachments(message)
        return InboundMessage(platform_message_id=mid, kind=kind, extra=extra, **common)
    if "postback" in item:
        postback = require_dict(item["postback"], "postback")
        mid = optional_str(postback.get("mid")) or f"postback:{sender}:{item.get('timestamp')}"
        payload = optional_str(postback.get("payload")) or optional_str(postback.get("title"))
        if not payload:
            raise ParseError("postback has neither payload nor title")
        return InboundMessage(
            platform_message_id=mid,
            kind="button",
            text=payload,
            extra={"title": optional_str(postback.get("title"))},
            **common,
        )
    if "message_edit" in item:
        edit = require_dict(item["message_edit"], "message_edit")
        mid = require_str(edit.get("mid"), "message_edit.mid")
        edited = optional_str(edit.get("text"))
        if not edited:
            return None
        return InboundMessage(
            platform_message_id=f"{mid}:edit:{edit.get('num_edit', 0)}",
            kind="edit",
            text=edited,
            reply_to=mid,
            **common,
        )
    if "read" in item:
        read = require_dict(item["read"], "read")
        read_mid = optional_str(read.get("mid"))
        if read_mid:
            return StatusUpdate(CHANNEL, read_mid, "read", account_id=account_id)
    return None  # reactions, referrals, typing, ...


def instagram_account_ids(data: dict[str, Any]) -> frozenset[str]:
    """The Instagram account ids a decoded body names (entry[].id): whose app secrets its
    signature is checked with. Read leniently, never raising: a part shaped otherwise names
    nothing (and `instagram_batch` refuses the body)."""
    ids = (optional_id(entry.get("id")) for entry in objects_of(data.get("entry")))
    return frozenset(ident for ident in ids if ident)


def parse_instagram(body: bytes | str) -> ParsedBatch:
    """All user messages, button presses, edits and read receipts of a webhook body."""
    return instagram_batch(load_json(body))


def instagram_batch(data: dict[str, Any]) -> ParsedBatch:
    """`parse_instagram` of a body already decoded (the signature check decodes it first)."""
    if data.get("object") != "instagram":
        raise ParseError("object is not instagram")
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    ignored = 0
    for entry in require_list(data.get("entry"), "entry"):
        entry = require_dict(entry, "entry[]")
        account_id = require_str(entry.get("id"), "entry[].id")
        if "messaging" not in entry:
            ignored += 1  # "changes": comments, mentions: not conversations
            continue
        for raw in require_list(entry.get("messaging"), "entry[].messaging"):
            parsed = _item(raw, account_id)
            if isinstance(parsed, InboundMessage):
                messages.append(storable_inbound(parsed, raw))
            elif isinstance(parsed, StatusUpdate):
                statuses.append(storable_status(parsed))
            else:
                ignored += 1
    return ParsedBatch(messages, statuses, ignored)
