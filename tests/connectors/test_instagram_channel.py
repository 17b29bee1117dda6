"""InstagramInput end to end over HTTP: signatures, batches, echoes, quick replies, postbacks,
edits and read receipts, against the stand-in Graph API."""

from __future__ import annotations

import asyncio

import pytest

from booking_core.db.models import Contact, Message
from connectors.webhook import TEXT_ONLY_REPLY
from standins import webhooks as f
from standins.platform_apis import buttons_of, text_of
from tests.connectors.conftest import (
    IG_APP_SECRET,
    IG_VERIFY,
    FakeAgent,
    instagram_channel,
    running,
)
from tests.connectors.helpers import count, messages

USER = "6512345678901234"


def signed(payload: object, secret: str = IG_APP_SECRET) -> tuple[bytes, dict[str, str]]:
    body = payload if isinstance(payload, bytes) else f.body_bytes(payload)
    return body, f.meta_headers(body, secret)


async def test_get_verification(sqlite_settings, standin) -> None:
    async with running(instagram_channel(standin)) as h:
        params = {"hub.mode": "subscribe", "hub.verify_token": IG_VERIFY, "hub.challenge": "99"}
        ok = await h.client.get(h.url + "/instagram_webhook", params=params)
        bad = await h.client.get(
            h.url + "/instagram_webhook", params={**params, "hub.verify_token": "x"}
        )
    assert (ok.status_code, ok.text, bad.status_code) == (200, "99", 403)


async def test_text_with_metadata_mark_seen_typing_and_reply(sqlite_settings, standin) -> None:
    async with running(instagram_channel(standin)) as h:
        assert (await h.post(*signed(f.ig_text(USER, "hello")))).status_code == 200
        await h.settle()
    [message] = h.agent.messages
    assert message.sender_id == f"default:instagram:{USER}"
    assert message.metadata["platform_message_id"].startswith("aWdf")
    actions = [r.json.get("sender_action") for r in standin.sent("/instagram")]
    assert actions == ["mark_seen", "typing_on", None]
    reply = standin.messages("/instagram")[0]
    assert reply.path == f"/instagram/v23.0/{f.IG_ACCOUNT_ID}/messages"
    assert reply.json["recipient"] == {"id": USER} and text_of(reply) == "echo: hello"
    assert reply.headers["Authorization"] == "Bearer ig-token"
    assert messages(sqlite_settings, "out")[0].platform_message_id.startswith("mid.OUT")


async def test_bad_signature_is_403_and_nothing_stored(sqlite_settings, standin) -> None:
    async with running(instagram_channel(standin)) as h:
        body, _ = signed(f.ig_text(USER, "hi"))
        response = await h.post(body, f.meta_headers(body, "wrong"))
    assert response.status_code == 403
    assert count(sqlite_settings, Message) == 0 and count(sqlite_settings, Contact) == 0


async def test_unknown_account_is_200_nothing_stored(sqlite_settings, standin) -> None:
    async with running(instagram_channel(standin)) as h:
        response = await h.post(*signed(f.ig_text(USER, "hi", account_id="1789")))
    assert response.status_code == 200 and count(sqlite_settings) == 0


@pytest.mark.parametrize(
    "payload",
    [b"{", b'{"object": "instagram"}', b'{"object": "instagram", "entry": [{"messaging": []}]}'],
)
async def test_malformed_is_400(sqlite_settings, standin, payload) -> None:
    async with running(instagram_channel(standin)) as h:
        response = await h.post(*signed(payload))
    assert response.status_code == 400


async def test_batch_of_items_echo_ignored_all_others_processed(sqlite_settings, standin) -> None:
    echo = f.ig_echo(USER, "our own reply")["entry"][0]["messaging"][0]
    items = [
        f.ig_item(USER, message={"mid": f.ig_mid(), "text": "one"}),
        echo,
        f.ig_item("6599999999999999", message={"mid": f.ig_mid(), "text": "other"}),
        f.ig_item(USER, message={"mid": f.ig_mid(), "text": "two"}),
    ]
    async with running(instagram_channel(standin)) as h:
        await h.post(*signed(f.ig_webhook(*items)))
        await h.settle()
    texts = sorted(m.text for m in h.agent.messages)
    assert texts == ["one", "other", "two"]
    assert len(messages(sqlite_settings, "in")) == 3


async def test_quick_replies_and_their_payloads(sqlite_settings, standin) -> None:
    def ask(message):
        if message.text != "book":
            return []
        buttons = [
            {"title": "Yes", "payload": "/affirm"},
            {
                "title": "Change the time please",
                "payload": '/change_booking{"booking_field": "time"}',
            },
        ]
        buttons += [{"title": f"Option {i}", "payload": f"/inform{i}"} for i in range(13)]
        return [{"text": "Shall I book it?", "buttons": buttons}]

    async with running(instagram_channel(standin), FakeAgent(reply=ask)) as h:
        await h.post(*signed(f.ig_text(USER, "book")))
        await h.settle()
        [sent] = standin.messages("/instagram")
        replies = buttons_of(sent)
        assert len(replies) == 13 and all(len(title) <= 20 for title, _ in replies)
        assert replies[1] == ("Change the time ple…", '/change_booking{"booking_field": "time"}')
        await h.post(*signed(f.ig_quick_reply(USER, "Yes", "/affirm")))
        await h.post(*signed(f.ig_postback(USER, "Cancel", "/deny")))
        await h.settle()
    assert [m.text for m in h.agent.messages[1:]] == ["/affirm", "/deny"]


async def test_media_edit_and_read_receipt(sqlite_settings, standin) -> None:
    async with running(instagram_channel(standin)) as h:
        await h.post(*signed(f.ig_image(USER)))
        await h.settle()
        assert text_of(standin.messages("/instagram")[0]) == TEXT_ONLY_REPLY
        mid = f.ig_mid()
        await h.post(*signed(f.ig_text(USER, "at 3pm", mid=mid)))
        await h.post(*signed(f.ig_edit(USER, mid, "at 4pm")))
        await h.settle()
        assert [(m.text, m.metadata["edited"]) for m in h.agent.messages] == [
            ("at 3pm", False),
            ("at 4pm", True),
        ]
        sent = messages(sqlite_settings, "out")[-1]
        await h.post(*signed(f.ig_read(USER, sent.platform_message_id)))
    assert messages(sqlite_settings, "out")[-1].status == "read"


async def test_concurrent_duplicates_answer_once(db_settings, standin) -> None:
    body, headers = signed(f.ig_text(USER, "hi"))
    async with running(instagram_channel(standin), FakeAgent(delay=0.05)) as h:
        await asyncio.gather(*(h.post(body, headers) for _ in range(3)))
        await h.settle()
    assert len(h.agent.messages) == 1 and len(standin.messages("/instagram")) == 1
