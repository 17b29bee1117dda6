"""Instagram request bodies: 1000-character chunks, at most 13 quick replies of 20 characters."""

from __future__ import annotations

from connectors.instagram.format import instagram_parts, sender_action


def test_text_chunks_and_quick_replies() -> None:
    buttons = [{"title": f"A rather long option {i}", "payload": f"/inform{i}"} for i in range(15)]
    parts = instagram_parts("u1", text="y" * 1500, buttons=buttons)
    assert [len(p.text or "") for p in parts] == [1000, 500]
    replies = parts[1].body["message"]["quick_replies"]
    assert len(replies) == 13 and all(len(r["title"]) <= 20 for r in replies)
    assert replies[0] == {
        "content_type": "text",
        "title": "A rather long optio…",
        "payload": "/inform0",
    }
    assert parts[0].body == {"recipient": {"id": "u1"}, "message": {"text": "y" * 1000}}


def test_image_custom_and_actions() -> None:
    [image] = instagram_parts("u1", image="https://x/y.png")
    assert image.body["message"]["attachment"] == {
        "type": "image",
        "payload": {"url": "https://x/y.png"},
    }
    [custom] = instagram_parts("u1", custom={"text": "native"})
    assert custom.body == {"recipient": {"id": "u1"}, "message": {"text": "native"}}
    assert sender_action("u1", "typing_on") == {
        "recipient": {"id": "u1"},
        "sender_action": "typing_on",
    }


def test_payload_too_long_falls_back_to_title() -> None:
    [part] = instagram_parts(
        "u", text="t", buttons=[{"title": "Pick", "payload": "/" + "p" * 1200}]
    )
    assert part.body["message"]["quick_replies"][0]["payload"] == "Pick"
