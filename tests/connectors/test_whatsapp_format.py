"""WhatsApp message bodies within the documented limits."""

from __future__ import annotations

from connectors.whatsapp.format import button_parts, read_receipt, whatsapp_parts

YES_CHANGE_CANCEL = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "Change", "payload": '/change_booking{"booking_field": "time"}'},
    {"title": "Cancel", "payload": "/deny"},
]


def test_text_envelope_and_chunks() -> None:
    [part] = whatsapp_parts("4477", text="hello")
    assert part.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "4477",
        "type": "text",
        "text": {"preview_url": False, "body": "hello"},
    }
    parts = whatsapp_parts("4477", text="a" * 5000)
    assert [len(p.text or "") for p in parts] == [4096, 904]


def test_three_reply_buttons() -> None:
    [part] = button_parts("4477", "Shall I book it?", YES_CHANGE_CANCEL)
    interactive = part.body["interactive"]
    assert interactive["type"] == "button" and interactive["body"] == {"text": "Shall I book it?"}
    ids = [b["reply"]["id"] for b in interactive["action"]["buttons"]]
    assert ids == ["/affirm", '/change_booking{"booking_field": "time"}', "/deny"]
    assert part.buttons == YES_CHANGE_CANCEL


def test_titles_cut_to_20_and_ids_over_256_become_references() -> None:
    buttons = [{"title": "A title that is far too long", "payload": "/x" + "y" * 300}]
    [part] = button_parts("1", "t", buttons)
    reply = part.body["interactive"]["action"]["buttons"][0]["reply"]
    assert len(reply["title"]) == 20 and reply["id"] == "#0"


def test_body_over_1024_goes_first_as_text() -> None:
    parts = button_parts("1", "x" * 1500, YES_CHANGE_CANCEL)
    assert [p.body["type"] for p in parts] == ["text", "interactive"]
    assert len(parts[1].body["interactive"]["body"]["text"]) <= 1024


def test_more_than_ten_options_are_several_lists() -> None:
    buttons = [{"title": f"Slot {i}", "payload": f'/inform{{"slot": {i}}}'} for i in range(12)]
    parts = button_parts("1", "Pick a slot", buttons)
    assert [p.body["interactive"]["type"] for p in parts] == ["list", "list"]
    rows = [len(p.body["interactive"]["action"]["sections"][0]["rows"]) for p in parts]
    assert rows == [10, 2] and parts[1].buttons == buttons[10:]
    assert parts[0].body["interactive"]["action"]["button"] == "Choose"


def test_image_custom_and_read_receipt() -> None:
    image, custom = whatsapp_parts(
        "1", image="https://x/y.png", custom={"type": "template", "template": {"name": "hello"}}
    )
    assert image.body["image"] == {"link": "https://x/y.png"}
    assert custom.body["to"] == "1" and custom.body["type"] == "template"
    assert read_receipt("wamid.1") == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.1",
        "typing_indicator": {"type": "text"},
    }
    assert "typing_indicator" not in read_receipt("w", typing=False)
