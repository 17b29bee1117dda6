"""Webhook payloads shaped exactly as the platforms document them, and signing helpers."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from connectors.signatures import hub_signature

_counter = itertools.count(1)

PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
DISPLAY_PHONE = "15550783881"
IG_ACCOUNT_ID = "17841400000000001"
BOT_TOKEN = "123456789:AAH-test-token_for-the-stand-in"
BOT_ID = "123456789"


def body_bytes(payload: Any) -> bytes:
    """Serialise as the platforms do (compact JSON)."""
    return json.dumps(payload, separators=(",", ":")).encode()


def meta_headers(body: bytes, app_secret: str) -> dict[str, str]:
    """Headers of a signed Meta webhook POST."""
    return {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": hub_signature(body, app_secret),
    }


def telegram_headers(secret: str) -> dict[str, str]:
    """Headers of a Telegram webhook POST."""
    return {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}


def now() -> int:
    return int(time.time())


# --- WhatsApp Cloud API ---------------------------------------------------------------------


def wa_value(
    *,
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    """The `value` of a "messages" change."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_PHONE, "phone_number_id": phone_number_id},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return value


def wa_webhook(*values: dict[str, Any], waba_id: str = WABA_ID) -> dict[str, Any]:
    """A webhook body with one entry holding one change per value."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"value": v, "field": "messages"} for v in values]}],
    }


def wa_contact(wa_id: str, name: str = "Alice Example") -> dict[str, Any]:
    return {"profile": {"name": name}, "wa_id": wa_id, "user_id": f"US.{wa_id}"}


def wa_message(
    wa_id: str,
    kind: str = "text",
    *,
    wamid: str | None = None,
    context_id: str | None = None,
    timestamp: int | None = None,
    **content: Any,
) -> dict[str, Any]:
    """One entry of value.messages; `content` is the type-specific object."""
    message: dict[str, Any] = {
        "from": wa_id,
        "id": wamid or f"wamid.HBgL{next(_counter):010d}",
        "timestamp": str(timestamp if timestamp is not None else now()),
        "type": kind,
    }
    if context_id:
        message["context"] = {"from": DISPLAY_PHONE, "id": context_id}
    message.update(content)
    return message


def wa_text(wa_id: str, body: str, **kw: Any) -> dict[str, Any]:
    """A whole webhook with one text message."""
    message = wa_message(wa_id, "text", text={"body": body}, **kw)
    return wa_webhook(wa_value(contacts=[wa_contact(wa_id)], messages=[message]))


def wa_button_reply(wa_id: str, ident: str, title: str, context_id: str, **kw: Any) -> dict:
    interactive = {"type": "button_reply", "button_reply": {"id": ident, "title": title}}
    message = wa_message(wa_id, "interactive", context_id=context_id, interactive=interactive, **kw)
    return wa_webhook(wa_value(contacts=[wa_contact(wa_id)], messages=[message]))


def wa_list_reply(wa_id: str, ident: str, title: str, context_id: str, **kw: Any) -> dict:
    interactive = {
        "type": "list_reply",
        "list_reply": {"id": ident, "title": title, "description": ""},
    }
    message = wa_message(wa_id, "interactive", context_id=context_id, interactive=interactive, **kw)
    return wa_webhook(wa_value(contacts=[wa_contact(wa_id)], messages=[message]))


def wa_image(wa_id: str, **kw: Any) -> dict[str, Any]:
    image = {"mime_type": "image/jpeg", "sha256": "abc=", "id": "1234567890"}
    message = wa_message(wa_id, "image", image=image, **kw)
    return wa_webhook(wa_value(contacts=[wa_contact(wa_id)], messages=[message]))


def wa_location(wa_id: str, **kw: Any) -> dict[str, Any]:
    location = {"latitude": 51.5072, "longitude": -0.1276, "name": "Office", "address": "London"}
    message = wa_message(wa_id, "location", location=location, **kw)
    return wa_webhook(wa_value(contacts=[wa_contact(wa_id)], messages=[message]))


def wa_status(
    wamid: str, status: str, recipient: str = "447700900001", errors: list | None = None
) -> dict[str, Any]:
    """A whole webhook with one delivery status."""
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(now()),
        "recipient_id": recipient,
    }
    if status != "failed":
        item["conversation"] = {"id": "CONVERSATION_ID", "origin": {"type": "service"}}
        item["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
    if errors:
        item["errors"] = errors
    return wa_webhook(wa_value(statuses=[item]))


# --- Telegram Bot API -----------------------------------------------------------------------


def tg_user(user_id: int, first: str = "Alice", language: str = "en") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first, "language_code": language}


def tg_chat(chat_id: int, first: str = "Alice") -> dict[str, Any]:
    return {"id": chat_id, "first_name": first, "type": "private"}


def tg_message(
    chat_id: int, text: str | None = None, *, message_id: int | None = None, **fields: Any
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": message_id or next(_counter),
        "from": tg_user(chat_id),
        "chat": tg_chat(chat_id),
        "date": now(),
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
    message.update(fields)
    return message


def tg_update(update_id: int | None = None, **update: Any) -> dict[str, Any]:
    return {"update_id": update_id if update_id is not None else 10_000 + next(_counter), **update}


def tg_text(chat_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
    return tg_update(update_id, message=tg_message(chat_id, text))


def tg_photo(chat_id: int) -> dict[str, Any]:
    photo = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}]
    return tg_update(message=tg_message(chat_id, photo=photo))


def tg_location(chat_id: int) -> dict[str, Any]:
    return tg_update(message=tg_message(chat_id, location={"latitude": 51.5, "longitude": -0.12}))


def tg_edited(chat_id: int, text: str) -> dict[str, Any]:
    message = tg_message(chat_id, text, edit_date=now())
    return tg_update(edited_message=message)


def tg_callback(chat_id: int, data: str, message_id: int, text: str = "Shall I book it?") -> dict:
    message = {
        "message_id": message_id,
        "from": {"id": int(BOT_ID), "is_bot": True, "first_name": "Booking", "username": "bk_bot"},
        "chat": tg_chat(chat_id),
        "date": now(),
        "text": text,
    }
    query = {
        "id": f"4382bfdwdsb323b2d9{next(_counter)}",
        "from": tg_user(chat_id),
        "message": message,
        "chat_instance": "-7348127498273",
        "data": data,
    }
    return tg_update(callback_query=query)


def tg_my_chat_member(chat_id: int) -> dict[str, Any]:
    member = {
        "chat": tg_chat(chat_id),
        "from": tg_user(chat_id),
        "date": now(),
        "old_chat_member": {
            "user": {"id": int(BOT_ID), "is_bot": True, "first_name": "B"},
            "status": "member",
        },
        "new_chat_member": {
            "user": {"id": int(BOT_ID), "is_bot": True, "first_name": "B"},
            "status": "kicked",
            "until_date": 0,
        },
    }
    return tg_update(my_chat_member=member)


# --- Instagram ------------------------------------------------------------------------------


def ig_webhook(*items: dict[str, Any], account_id: str = IG_ACCOUNT_ID) -> dict[str, Any]:
    """One entry with these messaging items."""
    return {
        "object": "instagram",
        "entry": [{"id": account_id, "time": now() * 1000, "messaging": list(items)}],
    }


def ig_item(sender: str, account_id: str = IG_ACCOUNT_ID, **event: Any) -> dict[str, Any]:
    return {
        "sender": {"id": sender},
        "recipient": {"id": account_id},
        "timestamp": now() * 1000,
        **event,
    }


def ig_mid() -> str:
    return f"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx{next(_counter):08d}"


def ig_text(sender: str, text: str, mid: str | None = None, **kw: Any) -> dict[str, Any]:
    return ig_webhook(ig_item(sender, message={"mid": mid or ig_mid(), "text": text}), **kw)


def ig_quick_reply(sender: str, title: str, payload: str) -> dict[str, Any]:
    message = {"mid": ig_mid(), "text": title, "quick_reply": {"payload": payload}}
    return ig_webhook(ig_item(sender, message=message))


def ig_postback(sender: str, title: str, payload: str) -> dict[str, Any]:
    return ig_webhook(
        ig_item(sender, postback={"mid": ig_mid(), "title": title, "payload": payload})
    )


def ig_image(sender: str) -> dict[str, Any]:
    attachment = {"type": "image", "payload": {"url": "https://lookaside.example/image.jpg"}}
    return ig_webhook(ig_item(sender, message={"mid": ig_mid(), "attachments": [attachment]}))


def ig_echo(sender: str, text: str) -> dict[str, Any]:
    """The business's own message coming back (sender is the account)."""
    item = ig_item(IG_ACCOUNT_ID, message={"mid": ig_mid(), "text": text, "is_echo": True})
    item["recipient"] = {"id": sender}
    return ig_webhook(item)


def ig_edit(sender: str, mid: str, text: str, num_edit: int = 1) -> dict[str, Any]:
    return ig_webhook(
        ig_item(sender, message_edit={"mid": mid, "text": text, "num_edit": num_edit})
    )


def ig_read(sender: str, mid: str) -> dict[str, Any]:
    return ig_webhook(ig_item(sender, read={"mid": mid}))
