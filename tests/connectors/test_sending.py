"""What the outbox sender sends for each kind of stored row."""

from __future__ import annotations

from connectors.sending import stored_requests
from connectors.telegram.platform import TelegramPlatform
from connectors.whatsapp.platform import WhatsAppPlatform

WA = WhatsAppPlatform()


def test_a_reply_row_is_sent_as_stored() -> None:
    payload = {"request": {"to": "1"}, "recipient": "1", "account_id": "a"}
    assert stored_requests(WA, "1", payload) == [payload]


def test_a_notice_is_formatted_as_plain_text() -> None:
    [request] = stored_requests(TelegramPlatform(), "42", {"notice": "Booked.", "recipient": "42"})
    assert request["method"] == "sendMessage" and request["request"]["text"] == "Booked."


def test_text_and_buttons_from_the_send_api_are_formatted_for_the_platform() -> None:
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    [request] = stored_requests(WA, "447", {"text": "Still coming?", "buttons": buttons})
    assert request["request"]["type"] == "interactive"
    assert request["request"]["interactive"]["body"]["text"] == "Still coming?"


def test_a_row_with_nothing_to_send_gives_nothing() -> None:
    assert stored_requests(WA, "447", {"recipient": "447"}) == []
