"""WhatsApp webhook parsing with payloads shaped as Meta documents them; fuzzed."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given

from connectors.inbound import ParseError
from connectors.storable import storable_text
from connectors.whatsapp.parse import parse_whatsapp, whatsapp_account_ids
from standins import webhooks as f
from tests.connectors.fuzz import json_values, mutations, raw_bodies

USER = "16315551181"


def parse(payload: dict):
    return parse_whatsapp(f.body_bytes(payload))


def test_text_message() -> None:
    batch = parse(f.wa_text(USER, "book a haircut", wamid="wamid.ID1", timestamp=1700000000))
    [m] = batch.messages
    assert (m.kind, m.text, m.platform_message_id) == ("text", "book a haircut", "wamid.ID1")
    assert (m.platform_user_id, m.chat_id, m.account_id) == (USER, USER, f.PHONE_NUMBER_ID)
    assert m.display_name == "Alice Example" and m.sent_at.timestamp() == 1700000000
    assert batch.statuses == []


def test_button_and_list_replies_carry_the_payload_and_context() -> None:
    [b] = parse(f.wa_button_reply(USER, "/affirm", "Yes", context_id="wamid.OUT1")).messages
    assert (b.kind, b.text, b.reply_to, b.extra["title"]) == (
        "button",
        "/affirm",
        "wamid.OUT1",
        "Yes",
    )
    [r] = parse(f.wa_list_reply(USER, "#4", "Other", context_id="wamid.OUT2")).messages
    assert (r.kind, r.text, r.reply_to) == ("button", "#4", "wamid.OUT2")


def test_template_quick_reply_button() -> None:
    message = f.wa_message(USER, "button", button={"payload": "/affirm", "text": "Yes"})
    [m] = parse(
        f.wa_webhook(f.wa_value(contacts=[f.wa_contact(USER)], messages=[message]))
    ).messages
    assert (m.kind, m.text) == ("button", "/affirm")


def test_media_location_unsupported_and_reactions() -> None:
    assert parse(f.wa_image(USER)).messages[0].kind == "media"
    location = parse(f.wa_location(USER)).messages[0]
    assert location.kind == "location" and location.extra["location"]["latitude"] == 51.5072
    reaction = f.wa_message(USER, "reaction", reaction={"message_id": "wamid.X", "emoji": "👍"})
    unknown = f.wa_message(USER, "unsupported", errors=[{"code": 131051}])
    batch = parse(
        f.wa_webhook(f.wa_value(contacts=[f.wa_contact(USER)], messages=[reaction, unknown]))
    )
    assert [m.kind for m in batch.messages] == ["unsupported"] and batch.ignored == 1


def test_statuses_with_errors() -> None:
    errors = [
        {
            "code": 131026,
            "title": "Message undeliverable",
            "error_data": {"details": "Receiver incapable"},
        }
    ]
    [s] = parse(f.wa_status("wamid.OUT9", "failed", errors=errors)).statuses
    assert (s.platform_message_id, s.status, s.account_id) == (
        "wamid.OUT9",
        "failed",
        f.PHONE_NUMBER_ID,
    )
    assert s.error == "131026: Message undeliverable (Receiver incapable)"
    [ok] = parse(f.wa_status("wamid.OUT9", "delivered")).statuses
    assert ok.error is None


def test_every_entry_and_change_of_a_batch() -> None:
    one = f.wa_value(
        contacts=[f.wa_contact(USER)], messages=[f.wa_message(USER, text={"body": "1"})]
    )
    two = f.wa_value(
        phone_number_id="2",
        messages=[f.wa_message("2", text={"body": "2"})],
        statuses=[f.wa_status("w", "read")["entry"][0]["changes"][0]["value"]["statuses"][0]],
    )
    payload = f.wa_webhook(one, two)
    payload["entry"].append({"id": "x", "changes": [{"field": "account_update", "value": {}}]})
    batch = parse(payload)
    assert [(m.text, m.account_id) for m in batch.messages] == [
        ("1", f.PHONE_NUMBER_ID),
        ("2", "2"),
    ]
    assert len(batch.statuses) == 1 and batch.ignored == 1


def test_username_users_without_phone_fall_back_to_the_business_scoped_id() -> None:
    message = f.wa_message(USER, text={"body": "hi"})
    del message["from"]
    contact = {"profile": {"name": "Bo"}, "user_id": "US.13491208655302741918"}
    [m] = parse(f.wa_webhook(f.wa_value(contacts=[contact], messages=[message]))).messages
    assert m.platform_user_id == "US.13491208655302741918" and m.display_name == "Bo"


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"null",
        b"[1]",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account"}',
        b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]}',
    ],
)
def test_malformed(payload: bytes) -> None:
    with pytest.raises(ParseError):
        parse_whatsapp(payload)


@given(raw_bodies)
def test_fuzz_raw_bodies_only_parse_error(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_whatsapp(body)


@given(
    mutations(
        f.wa_webhook(
            f.wa_value(
                contacts=[f.wa_contact(USER)],
                messages=[
                    f.wa_message(
                        USER,
                        "interactive",
                        context_id="w",
                        interactive={
                            "type": "button_reply",
                            "button_reply": {"id": "/a", "title": "A"},
                        },
                    ),
                    f.wa_message(USER, "location", location={"latitude": 1}),
                ],
                statuses=[{"id": "w", "status": "failed", "errors": [{"code": 1}]}],
            )
        )
    )
)
def test_fuzz_mutated_documents_only_parse_error(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_whatsapp(body)


def test_the_envelope_names_every_phone_number_id_of_the_body() -> None:
    body = f.wa_webhook(
        f.wa_value(phone_number_id="111", messages=[f.wa_message(USER, text={"body": "a"})]),
        f.wa_value(phone_number_id="222", statuses=[]),
    )
    body["entry"].append({"id": "w", "changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": 333}}}]})  # fmt: skip
    body["entry"] += [{"changes": [{"value": {"metadata": {}}}, "x", {"value": []}]}, 7, {}]
    assert whatsapp_account_ids(body) == {"111", "222", "333"}
    assert whatsapp_account_ids({"entry": "x"}) == whatsapp_account_ids({}) == frozenset()


@given(json_values)
def test_fuzz_the_envelope_reads_any_json_without_raising(value: object) -> None:
    whatsapp_account_ids(value if isinstance(value, dict) else {"entry": value})


DOCUMENT = f.wa_webhook(
    f.wa_value(
        contacts=[f.wa_contact(USER)],
        messages=[f.wa_message(USER, text={"body": "a"})],
        statuses=[{"id": "w", "status": "read"}],
    ),
    f.wa_value(phone_number_id="222", messages=[f.wa_message(USER, text={"body": "b"})]),
)


@given(mutations(DOCUMENT))
def test_fuzz_every_parsed_item_belongs_to_an_account_the_envelope_names(body: bytes) -> None:
    """The signature is checked with the named accounts' secrets only: nothing may be routed
    to an account the envelope did not name (ids made storable, as the parser does)."""
    try:
        batch = parse_whatsapp(body)
    except ParseError:
        return
    named = {storable_text(ident) for ident in whatsapp_account_ids(json.loads(body))}
    assert {item.account_id for item in [*batch.messages, *batch.statuses]} <= named
