"""Instagram webhook parsing with documented shapes; fuzzed."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given

from connectors.inbound import ParseError
from connectors.instagram.parse import parse_instagram
from tests.connectors import factories as f
from tests.connectors.fuzz import mutations, raw_bodies

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
