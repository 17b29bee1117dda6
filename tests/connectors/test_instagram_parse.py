"""Instagram webhook parsing with documented shapes; fuzzed."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given

from connectors.inbound import ParseError
from connectors.instagram.parse import instagram_account_ids, parse_instagram
from connectors.storable import storable_text
from standins import webhooks as f
from tests.connectors.fuzz import json_values, mutations, raw_bodies

USER = "6512345678901234"


def parse(payload: dict):
    return parse_instagram(f.body_bytes(payload))


def test_text_quick_reply_postback() -> None:
    [t] = parse(f.ig_text(USER, "hello", mid="m1")).messages
    assert (t.kind, t.text, t.platform_message_id, t.account_id) == (
        "text",
        "hello",
        "m1",
        f.IG_ACCOUNT_ID,
    )
    assert t.sent_at is not None and t.sent_at.year >= 2024
    [q] = parse(f.ig_quick_reply(USER, "Yes", "/affirm")).messages
    assert (q.kind, q.text) == ("button", "/affirm")
    [p] = parse(f.ig_postback(USER, "Cancel", "/deny")).messages
    assert (p.kind, p.text) == ("button", "/deny")


def test_echo_deleted_and_own_messages_are_ignored() -> None:
    assert parse(f.ig_echo(USER, "ours")).messages == []
    deleted = f.ig_webhook(f.ig_item(USER, message={"mid": "m", "is_deleted": True}))
    assert parse(deleted).messages == []
    reaction = f.ig_webhook(f.ig_item(USER, reaction={"mid": "m", "action": "react"}))
    assert parse(reaction).ignored == 1


def test_media_edit_read_and_batches() -> None:
    assert parse(f.ig_image(USER)).messages[0].kind == "media"
    [e] = parse(f.ig_edit(USER, "m1", "new text", num_edit=2)).messages
    assert (e.kind, e.text, e.platform_message_id) == ("edit", "new text", "m1:edit:2")
    [r] = parse(f.ig_read(USER, "mid.OUT1")).statuses
    assert (r.platform_message_id, r.status) == ("mid.OUT1", "read")
    items = [f.ig_item(USER, message={"mid": f"m{i}", "text": str(i)}) for i in range(50)]
    payload = f.ig_webhook(*items)
    payload["entry"].append({"id": "other", "time": 1, "changes": [{"field": "comments"}]})
    batch = parse(payload)
    assert len(batch.messages) == 50 and batch.ignored == 1


@pytest.mark.parametrize(
    "payload",
    [
        b"{}",
        b'{"object": "page", "entry": []}',
        b'{"object": "instagram", "entry": [{"id": "1", "messaging": [{"sender": {}}]}]}',
    ],
)
def test_malformed(payload: bytes) -> None:
    with pytest.raises(ParseError):
        parse_instagram(payload)


@given(raw_bodies)
def test_fuzz_raw(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_instagram(body)


@given(
    mutations(
        f.ig_webhook(
            f.ig_item(
                USER,
                message={
                    "mid": "m",
                    "text": "t",
                    "quick_reply": {"payload": "/a"},
                    "attachments": [{"type": "location", "payload": {"coordinates": {"lat": 1}}}],
                },
            ),
            f.ig_item(USER, postback={"mid": "p", "title": "T", "payload": "/b"}),
            f.ig_item(USER, message_edit={"mid": "m", "text": "x", "num_edit": 1}),
            f.ig_item(USER, read={"mid": "r"}),
        )
    )
)
def test_fuzz_mutated(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_instagram(body)


def test_the_envelope_names_every_entry_id_of_the_body() -> None:
    body = f.ig_webhook(f.ig_item(USER, message={"mid": "m", "text": "t"}), account_id="111")
    body["entry"] += [{"id": 222, "messaging": []}, {"id": ""}, {"id": True}, {}, "x"]
    assert instagram_account_ids(body) == {"111", "222"}
    assert instagram_account_ids({"entry": {}}) == instagram_account_ids({}) == frozenset()


@given(json_values)
def test_fuzz_the_envelope_reads_any_json_without_raising(value: object) -> None:
    instagram_account_ids(value if isinstance(value, dict) else {"entry": value})


DOCUMENT = {
    "object": "instagram",
    "entry": [
        *f.ig_webhook(f.ig_item(USER, message={"mid": "m", "text": "t"}))["entry"],
        *f.ig_webhook(f.ig_item(USER, read={"mid": "r"}), account_id="222")["entry"],
    ],
}


@given(mutations(DOCUMENT))
def test_fuzz_every_parsed_item_belongs_to_an_account_the_envelope_names(body: bytes) -> None:
    """The signature is checked with the named accounts' secrets only: nothing may be routed
    to an account the envelope did not name (ids made storable, as the parser does)."""
    try:
        batch = parse_instagram(body)
    except ParseError:
        return
    named = {storable_text(ident) for ident in instagram_account_ids(json.loads(body))}
    assert {item.account_id for item in [*batch.messages, *batch.statuses]} <= named
