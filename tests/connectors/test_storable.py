"""Making delivered strings storable (pure): lone surrogates and NULs become U+FFFD, and the item
as received is kept as ASCII JSON text."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from connectors.inbound import InboundMessage, StatusUpdate
from connectors.storable import (
    REPLACEMENT,
    as_received,
    storable,
    storable_inbound,
    storable_status,
    storable_text,
)

CUT = "\ud83d"


def message(**fields: object) -> InboundMessage:
    values: dict = {
        "channel": "whatsapp",
        "platform_message_id": "wamid.1",
        "platform_user_id": "447",
        "chat_id": "447",
        "kind": "text",
        "text": "hi",
    }
    values.update(fields)
    return InboundMessage(**values)


def test_lone_surrogates_and_nul_are_replaced_and_whole_characters_kept() -> None:
    assert storable_text(f"a{CUT}b") == f"a{REPLACEMENT}b"
    assert storable_text("\udc00\ud83d") == REPLACEMENT * 2  # a pair in the wrong order
    assert storable_text("n\x00l") == f"n{REPLACEMENT}l"
    clean = "emoji \U0001f600 and accents é"
    assert storable_text(clean) is clean


@given(st.text(alphabet=st.characters(blacklist_categories=())))
def test_any_text_becomes_encodable_and_nul_free_with_its_length(text: str) -> None:
    result = storable_text(text)
    result.encode("utf-8")  # what SQLite and psycopg2 do with it
    assert "\x00" not in result and len(result) == len(text)


def test_json_values_are_cleaned_keys_included_and_untouched_ones_returned_as_they_are() -> None:
    value = {"a": [1, "x\x00", {f"k{CUT}": None}], "b": True}
    assert storable(value) == {"a": [1, f"x{REPLACEMENT}", {f"k{REPLACEMENT}": None}], "b": True}
    assert value["a"][1] == "x\x00"  # not changed in place
    clean = {"a": [1, "x", {"k": None}]}
    assert storable(clean) is clean


def test_a_clean_message_is_returned_as_it_is() -> None:
    clean = message(display_name="Al", extra={"title": "Yes"})
    assert storable_inbound(clean, {"anything": 1}) is clean


def test_a_dirty_message_is_cleaned_everywhere_and_keeps_the_item_as_received() -> None:
    item = {"id": "wamid.\x00", "text": {"body": f"hi {CUT}"}}
    dirty = message(
        platform_message_id="wamid.\x00",
        text=f"hi {CUT}",
        display_name=f"A{CUT}",
        extra={"title": "Y\x00"},
    )
    cleaned = storable_inbound(dirty, item)
    assert cleaned.platform_message_id == f"wamid.{REPLACEMENT}"
    assert (cleaned.text, cleaned.display_name) == (f"hi {REPLACEMENT}", f"A{REPLACEMENT}")
    assert cleaned.extra == {"title": f"Y{REPLACEMENT}"}
    assert cleaned.raw is not None and cleaned.raw.isascii()
    assert json.loads(cleaned.raw) == item  # nothing lost
    assert storable_inbound(cleaned) is cleaned  # stays as it is on a second pass
    assert InboundMessage.from_dict(cleaned.to_dict()) == cleaned  # survives the stored form


def test_without_the_item_the_message_s_own_fields_are_kept() -> None:
    cleaned = storable_inbound(message(text=f"x{CUT}"))
    assert cleaned.raw is not None and json.loads(cleaned.raw)["text"] == f"x{CUT}"


def test_as_received_is_ascii_json_that_round_trips() -> None:
    item = {"text": f"{CUT}\x00\U0001f600"}
    text = as_received(item)
    assert text.isascii() and "\\ud83d" in text and "\\u0000" in text
    assert json.loads(text) == item


def test_receipts_are_cleaned() -> None:
    clean = StatusUpdate("whatsapp", "wamid.1", "read", account_id="1")
    assert storable_status(clean) is clean
    dirty = StatusUpdate("whatsapp", f"wamid.{CUT}", "read", account_id="1", error="e\x00")
    cleaned = storable_status(dirty)
    assert (cleaned.platform_message_id, cleaned.error) == (
        f"wamid.{REPLACEMENT}",
        f"e{REPLACEMENT}",
    )
