"""Telegram update parsing with documented update shapes; fuzzed."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given

from connectors.inbound import ParseError
from connectors.telegram.parse import command_text, parse_telegram
from standins import webhooks as f
from tests.connectors.fuzz import mutations, raw_bodies


def parse(payload: dict):
    return parse_telegram(f.body_bytes(payload))


def test_text_message() -> None:
    [m] = parse(f.tg_text(42, "hello", update_id=9001)).messages
    assert (m.platform_message_id, m.kind, m.text, m.chat_id) == ("9001", "text", "hello", "42")
    assert (m.display_name, m.language) == ("Alice", "en") and m.sent_at is not None


def test_commands() -> None:
    assert command_text("/start") == "/greet"
    assert command_text("/start@booking_bot deep-link") == "/greet"
    assert command_text("/help") == "/help" and command_text("/cancel") == "/stop"
    assert command_text("/affirm") == "/affirm" and command_text("hi") == "hi"
    assert command_text("/") == "/"


def test_callback_query() -> None:
    [m] = parse(f.tg_callback(42, "/affirm", message_id=77)).messages
    assert (m.kind, m.text, m.reply_to, m.chat_id) == ("button", "/affirm", "42:77", "42")
    assert m.callback_query_id


def test_media_location_edits_and_ignored_updates() -> None:
    assert parse(f.tg_photo(1)).messages[0].kind == "media"
    assert parse(f.tg_location(1)).messages[0].extra["location"]["latitude"] == 51.5
    [edit] = parse(f.tg_edited(1, "changed")).messages
    assert (edit.kind, edit.text) == ("edit", "changed")
    for update in (
        f.tg_my_chat_member(1),
        f.tg_update(channel_post={"message_id": 1}),
        f.tg_update(message=f.tg_message(1, new_chat_members=[{"id": 2}])),
    ):
        batch = parse(update)
        assert batch.messages == [] and batch.ignored == 1


@pytest.mark.parametrize(
    "payload",
    [
        b"[]",
        b'{"update_id": true}',
        b'{"message": {}}',
        b'{"update_id": 1, "message": {"chat": {}}}',
        b'{"update_id": 1, "callback_query": {"id": "1"}}',
    ],
)
def test_malformed(payload: bytes) -> None:
    with pytest.raises(ParseError):
        parse_telegram(payload)


@given(raw_bodies)
def test_fuzz_raw(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_telegram(body)


@given(mutations(f.tg_callback(5, "/affirm", 3)))
def test_fuzz_callback(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_telegram(body)


@given(
    mutations(
        f.tg_update(message=f.tg_message(5, "hi", location={"latitude": 1}, venue={"title": "x"}))
    )
)
def test_fuzz_message(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_telegram(body)
