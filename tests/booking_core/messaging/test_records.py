"""The typed outbound payload reads every payload rows were ever stored with, and writes the
same layout back."""

from __future__ import annotations

from typing import Any

import pytest

from booking_core.messaging.records import OutboundPayload, QueuedReply

BUTTONS = [{"title": "Yes", "payload": "/affirm"}]

STORED: list[dict[str, Any]] = [
    # A reply part (inbox.complete_inbound), with and without method and buttons.
    {"request": {"n": 1}, "account_id": "111", "recipient": "447", "in_reply_to": 5},
    {"request": {"n": 2}, "account_id": "111", "recipient": "447", "in_reply_to": 5,
     "method": "sendPhoto", "buttons": BUTTONS},
    # A notice (booking_core.notices), and a queued message with buttons.
    {"notice": "It is booked.", "recipient": "447", "account_id": "111"},
    {"notice": "Ready?", "recipient": "447", "account_id": "111", "buttons": BUTTONS},
    # An account of the time before accounts were stored, and a key from a newer version.
    {"request": {"n": 3}, "account_id": None, "recipient": "447", "in_reply_to": 6},
    {"notice": "x", "recipient": "447", "account_id": "111", "priority": "high"},
]  # fmt: skip


@pytest.mark.parametrize("stored", STORED)
def test_stored_payloads_round_trip(stored: dict[str, Any]) -> None:
    assert OutboundPayload.from_json(stored).to_json() == stored


def test_fields_are_typed_and_bad_values_read_as_absent() -> None:
    reply = OutboundPayload.from_json(STORED[1])
    assert (reply.recipient, reply.account_id, reply.method) == ("447", "111", "sendPhoto")
    assert (reply.request, reply.buttons, reply.in_reply_to) == ({"n": 2}, tuple(BUTTONS), 5)
    assert reply.notice is None
    odd = OutboundPayload.from_json({"recipient": 447, "account_id": 111, "in_reply_to": True,
                                     "buttons": "no", "request": [1], "notice": 3})  # fmt: skip
    assert odd == OutboundPayload(recipient="447", account_id="111")
    assert OutboundPayload.from_json(None) == OutboundPayload(recipient="")


def test_a_claimed_reply_keeps_its_mapping_and_reads_typed() -> None:
    reply = QueuedReply(1, 1, 1, "whatsapp", dict(STORED[2]), abandoned=False)
    assert reply.payload.get("account_id") == "111"
    assert reply.outbound.notice == "It is booked." and reply.outbound.in_reply_to is None
