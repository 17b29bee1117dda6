"""Telegram request bodies: chunks, inline keyboards, callback answers."""

from __future__ import annotations

from connectors.telegram.format import (
    answer_callback,
    chat_action,
    inline_keyboard,
    remove_keyboard,
    telegram_parts,
)


def test_keyboard_layout_and_callback_data_limit() -> None:
    short = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    assert inline_keyboard(short) == {
        "inline_keyboard": [
            [{"text": "Yes", "callback_data": "/affirm"}, {"text": "No", "callback_data": "/deny"}]
        ]
    }
    assert len(inline_keyboard(short, vertical=True)["inline_keyboard"]) == 2
    many = [{"title": f"Option {i}", "payload": f"/p{i}"} for i in range(5)]
    assert len(inline_keyboard(many)["inline_keyboard"]) == 5
    long = [{"title": "Long", "payload": '/inform{"event_title": "' + "z" * 60 + '"}'}]
    assert inline_keyboard(long)["inline_keyboard"][0][0]["callback_data"] == "#0"


def test_parts() -> None:
    parts = telegram_parts(
        "-100123", text="x" * 5000, buttons=[{"title": "OK", "payload": "/affirm"}]
    )
    assert [m for m, _ in parts] == ["sendMessage", "sendMessage"]
    first, last = (p for _, p in parts)
    assert first.body["chat_id"] == -100123 and "reply_markup" not in first.body
    assert last.buttons and last.body["reply_markup"]["inline_keyboard"]
    [(method, photo)] = telegram_parts("5", image="https://x/y.png")
    assert method == "sendPhoto" and photo.body == {"chat_id": 5, "photo": "https://x/y.png"}
    [(method, native)] = telegram_parts("5", custom={"method": "sendSticker", "sticker": "id"})
    assert method == "sendSticker" and native.body == {"chat_id": 5, "sticker": "id"}
    [(_, only_buttons)] = telegram_parts("5", buttons=[{"title": "A", "payload": "/a"}])
    assert only_buttons.body["text"]


def test_callback_helpers() -> None:
    assert answer_callback("q1") == {"callback_query_id": "q1"}
    assert remove_keyboard("42", "7") == {
        "chat_id": 42,
        "message_id": 7,
        "reply_markup": {"inline_keyboard": []},
    }
    assert chat_action("@channel") == {"chat_id": "@channel", "action": "typing"}
