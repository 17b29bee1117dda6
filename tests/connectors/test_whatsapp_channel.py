"""WhatsAppInput end to end over HTTP: a real Sanic server (Rasa's register()), a fake agent,
the stand-in Graph API, and the database."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from booking_core.crypto import SecretBox
from booking_core.db.models import Contact, Message
from booking_core.db.repository import ChannelSecrets, create_channel_account
from booking_core.db.session import session_scope
from booking_core.db.types import utcnow
from connectors.webhook import TEXT_ONLY_REPLY
from standins import webhooks as f
from standins.platform_apis import StandIn, buttons_of, text_of
from tests.connectors.conftest import (
    WA_APP_SECRET,
    WA_VERIFY,
    FakeAgent,
    running,
    whatsapp_channel,
)
from tests.connectors.helpers import add_tenant, count, messages

USER = "447700900001"


def signed(payload: object, secret: str = WA_APP_SECRET) -> tuple[bytes, dict[str, str]]:
    body = payload if isinstance(payload, bytes) else f.body_bytes(payload)
    return body, f.meta_headers(body, secret)


async def test_served_at_exact_path_and_get_verification(sqlite_settings, standin) -> None:
    async with running(whatsapp_channel(standin)) as h:
        ok = await h.client.get(
            h.url + "/whatsapp_webhook",
            params={"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "42"},
        )
        assert (ok.status_code, ok.text) == (200, "42")
        for params in (
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"},
            {"hub.mode": "unsubscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "42"},
            {},
        ):
            assert (
                await h.client.get(h.url + "/whatsapp_webhook", params=params)
            ).status_code == 403
        assert (await h.client.get(h.url + "/webhooks/whatsapp_webhook")).status_code == 404


async def test_text_message_reaches_rasa_with_metadata_and_reply_is_sent(
    sqlite_settings, standin: StandIn
) -> None:
    async with running(whatsapp_channel(standin)) as h:
        body, headers = signed(f.wa_text(USER, "book a haircut tomorrow"))
        response = await h.post(body, headers)
        assert (response.status_code, response.text) == (200, "ok")
        await h.settle()

    [message] = h.agent.messages
    assert message.text == "book a haircut tomorrow"
    assert message.sender_id == f"default:whatsapp:{USER}"
    assert message.input_channel == "whatsapp"
    meta = message.metadata or {}
    assert meta["tenant"] == "default" and isinstance(meta["tenant_id"], int)
    assert meta["channel"] == "whatsapp" and meta["platform_user_id"] == USER
    assert meta["platform_message_id"].startswith("wamid.")
    assert meta["display_name"] == "Alice Example"
    assert (meta["locale"], meta["timezone"]) == ("en_GB", "Europe/London")
    assert message.message_id == meta["platform_message_id"]

    [read] = standin.sent("/whatsapp", "messages")[:1]
    assert read.json["status"] == "read" and read.json["typing_indicator"] == {"type": "text"}
    assert read.headers["Authorization"] == "Bearer wa-token"
    [reply] = standin.messages("/whatsapp")
    assert reply.path == f"/whatsapp/v21.0/{f.PHONE_NUMBER_ID}/messages"
    assert reply.json["to"] == USER and text_of(reply) == "echo: book a haircut tomorrow"

    inbound, outbound = messages(sqlite_settings)
    assert (inbound.direction, inbound.status) == ("in", "processed")
    assert inbound.processed_at is not None
    assert (outbound.direction, outbound.status) == ("out", "sent")
    assert outbound.platform_message_id.startswith("wamid.OUT")
    assert outbound.text == "echo: book a haircut tomorrow"


async def test_bad_or_missing_signature_stores_nothing(sqlite_settings, standin) -> None:
    async with running(whatsapp_channel(standin)) as h:
        body, _ = signed(f.wa_text(USER, "hi"))
        bad = await h.post(body, f.meta_headers(body, "another-secret"))
        tampered = await h.post(body + b" ", f.meta_headers(body, WA_APP_SECRET))
        missing = await h.post(body, {"Content-Type": "application/json"})
        await h.settle()
    assert (bad.status_code, tampered.status_code, missing.status_code) == (403, 403, 401)
    assert count(sqlite_settings, Message) == 0 and count(sqlite_settings, Contact) == 0
    assert h.agent.messages == [] and standin.requests == []


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"[]",
        json.dumps({"object": "page", "entry": []}).encode(),
        json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": "x"}]}).encode(),
    ],
)
async def test_malformed_or_unknown_shape_is_400(sqlite_settings, standin, payload) -> None:
    async with running(whatsapp_channel(standin)) as h:
        response = await h.post(*signed(payload))
    assert response.status_code == 400 and response.text.startswith("bad request")
    assert count(sqlite_settings) == 0


async def test_body_over_3_mb_is_413(sqlite_settings, standin) -> None:
    async with running(whatsapp_channel(standin)) as h:
        payload = f.wa_text(USER, "x" * (3 * 1024 * 1024))
        response = await h.post(*signed(payload))
    assert response.status_code == 413
    assert count(sqlite_settings) == 0


async def test_unknown_phone_number_id_is_200_and_stored_nowhere(sqlite_settings, standin) -> None:
    payload = f.wa_webhook(
        f.wa_value(
            phone_number_id="999999",
            contacts=[f.wa_contact(USER)],
            messages=[f.wa_message(USER, text={"body": "hi"})],
        )
    )
    async with running(whatsapp_channel(standin)) as h:
        response = await h.post(*signed(payload))
        await h.settle()
    assert response.status_code == 200
    assert count(sqlite_settings) == 0 and count(sqlite_settings, Contact) == 0
    assert h.agent.messages == []


async def test_three_concurrent_identical_deliveries_answer_once(db_settings, standin) -> None:
    async with running(whatsapp_channel(standin), FakeAgent(delay=0.05)) as h:
        body, headers = signed(f.wa_text(USER, "hello"))
        responses = await asyncio.gather(*(h.post(body, headers) for _ in range(3)))
        await h.settle()
        again = await h.post(body, headers)
        await h.settle()
    assert [r.status_code for r in responses] == [200, 200, 200] and again.status_code == 200
    assert len(h.agent.messages) == 1
    assert len(standin.messages("/whatsapp")) == 1
    assert [m.direction for m in messages(db_settings)] == ["in", "out"]


async def test_statuses_update_the_outbound_row(sqlite_settings, standin) -> None:
    async with running(whatsapp_channel(standin)) as h:
        await h.post(*signed(f.wa_text(USER, "hi")))
        await h.settle()
        [outbound] = messages(sqlite_settings, "out")
        wamid = outbound.platform_message_id
        for status in ("delivered", "read", "delivered"):  # late receipts never go back
            assert (await h.post(*signed(f.wa_status(wamid, status)))).status_code == 200
        assert messages(sqlite_settings, "out")[0].status == "read"
        await h.post(*signed(f.wa_status("wamid.UNKNOWN", "read")))  # ignored, no error

        await h.post(*signed(f.wa_text(USER, "again")))
        await h.settle()
        second = messages(sqlite_settings, "out")[1]
        errors = [
            {
                "code": 131047,
                "title": "Re-engagement message",
                "error_data": {"details": "More than 24 hours have passed"},
            }
        ]
        await h.post(*signed(f.wa_status(second.platform_message_id, "failed", errors=errors)))
    failed = messages(sqlite_settings, "out")[1]
    assert failed.status == "failed" and "131047" in failed.error and "24 hours" in failed.error


@pytest.mark.parametrize("factory", [f.wa_image, f.wa_location])
async def test_media_and_location_get_the_text_only_answer(sqlite_settings, standin, factory):
    async with running(whatsapp_channel(standin)) as h:
        assert (await h.post(*signed(factory(USER)))).status_code == 200
        await h.settle()
    assert h.agent.messages == []
    [reply] = standin.messages("/whatsapp")
    assert text_of(reply) == TEXT_ONLY_REPLY
    inbound = messages(sqlite_settings, "in")[0]
    assert inbound.status == "processed"


def confirmation(message) -> list[dict]:
    buttons = [
        {"title": "Yes", "payload": "/affirm"},
        {"title": "Change", "payload": '/change_booking{"booking_field": "time"}'},
        {"title": "Cancel", "payload": "/deny"},
    ]
    return [{"text": "Dentist, Wed 25 Nov, 15:00-15:45. Shall I book it?", "buttons": buttons}]


async def test_three_buttons_are_reply_buttons_and_a_press_returns_the_payload(
    sqlite_settings, standin
) -> None:
    async with running(whatsapp_channel(standin), FakeAgent(reply=confirmation)) as h:
        await h.post(*signed(f.wa_text(USER, "book the dentist")))
        await h.settle()
        [sent] = standin.messages("/whatsapp")
        assert sent.json["interactive"]["type"] == "button"
        assert buttons_of(sent) == [
            ("Yes", "/affirm"),
            ("Change", '/change_booking{"booking_field": "time"}'),
            ("Cancel", "/deny"),
        ]
        wamid = messages(sqlite_settings, "out")[0].platform_message_id
        press = f.wa_button_reply(
            USER, '/change_booking{"booking_field": "time"}', "Change", context_id=wamid
        )
        await h.post(*signed(press))
        await h.settle()
    assert h.agent.messages[-1].text == '/change_booking{"booking_field": "time"}'


async def test_more_than_three_buttons_become_a_list_and_long_payloads_a_reference(
    sqlite_settings, standin
) -> None:
    long_payload = '/inform{"event_title": "' + "x" * 300 + '"}'

    def many(message):
        if message.text != "options":
            return []
        buttons = [
            {"title": f"Option number {i} with a long title", "payload": f"/inform{i}"}
            for i in range(4)
        ]
        buttons.append({"title": "Long", "payload": long_payload})
        return [{"text": "Pick one", "buttons": buttons}]

    async with running(whatsapp_channel(standin), FakeAgent(reply=many)) as h:
        await h.post(*signed(f.wa_text(USER, "options")))
        await h.settle()
        [sent] = standin.messages("/whatsapp")
        rows = sent.json["interactive"]["action"]["sections"][0]["rows"]
        assert sent.json["interactive"]["type"] == "list" and len(rows) == 5
        assert all(len(r["title"]) <= 24 for r in rows) and rows[0]["description"]
        assert rows[4]["id"] == "#4"
        wamid = messages(sqlite_settings, "out")[0].platform_message_id
        await h.post(*signed(f.wa_list_reply(USER, "#4", "Long", context_id=wamid)))
        await h.settle()
    assert h.agent.messages[-1].text == long_payload


async def test_long_text_is_chunked_at_4096(sqlite_settings, standin) -> None:
    paragraph = "word " * 700  # 3500 characters

    def long(message):
        return [{"text": paragraph + "\n\n" + paragraph}]

    async with running(whatsapp_channel(standin), FakeAgent(reply=long)) as h:
        await h.post(*signed(f.wa_text(USER, "tell me everything")))
        await h.settle()
    sent = standin.messages("/whatsapp")
    assert len(sent) == 2 and all(len(text_of(s)) <= 4096 for s in sent)
    assert len(messages(sqlite_settings, "out")) == 2


async def test_429_with_retry_after_is_retried_then_sent(sqlite_settings, standin) -> None:
    error = {"error": {"message": "rate limit", "type": "OAuthException", "code": 130429}}
    # The first 429 hits the read receipt (best effort, one attempt), the second the reply.
    standin.fail_next("/messages", 429, error, {"Retry-After": "1"}, times=2)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:  # the hint is honoured, not really waited
        waited.append(seconds)

    async with running(whatsapp_channel(standin, sleep=sleep)) as h:
        await h.post(*signed(f.wa_text(USER, "hi")))
        await h.settle()
    calls = standin.sent("/whatsapp")
    assert len(calls) == 3 and calls[1].json == calls[2].json
    assert waited == [1.0]  # exactly the Retry-After, once (the receipt is not retried)
    [outbound] = messages(sqlite_settings, "out")
    assert outbound.status == "sent" and outbound.error is None


async def test_final_send_failure_is_stored_not_raised(sqlite_settings, standin) -> None:
    error = {"error": {"message": "Service temporarily unavailable", "code": 2}}
    async with running(whatsapp_channel(standin)) as h:
        standin.fail_next("/messages", 503, error, times=10)
        response = await h.post(*signed(f.wa_text(USER, "hi")))
        await h.settle()
    assert response.status_code == 200
    [inbound] = messages(sqlite_settings, "in")
    [outbound] = messages(sqlite_settings, "out")
    assert inbound.status == "processed"
    assert outbound.status == "failed" and "503" in outbound.error
    assert outbound.platform_message_id is None


async def test_batch_with_several_messages_and_senders_is_processed_in_order(
    sqlite_settings, standin
) -> None:
    other = "447700900002"
    value = f.wa_value(
        contacts=[f.wa_contact(USER), f.wa_contact(other, "Bob")],
        messages=[
            f.wa_message(USER, text={"body": "one"}),
            f.wa_message(other, text={"body": "bob"}),
            f.wa_message(USER, text={"body": "two"}),
        ],
    )
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": f.WABA_ID, "changes": [{"field": "messages", "value": value}]},
            {
                "id": f.WABA_ID,
                "changes": [
                    {
                        "field": "messages",
                        "value": f.wa_value(
                            contacts=[f.wa_contact(USER)],
                            messages=[f.wa_message(USER, text={"body": "three"})],
                        ),
                    }
                ],
            },
        ],
    }
    async with running(whatsapp_channel(standin), FakeAgent(delay=0.02)) as h:
        await h.post(*signed(payload))
        await h.settle()
    alice = [m.text for m in h.agent.messages if m.sender_id.endswith(USER)]
    assert alice == ["one", "two", "three"]
    assert {m.metadata["display_name"] for m in h.agent.messages} == {"Alice Example", "Bob"}


async def test_message_older_than_the_reply_window_is_stored_not_answered(
    sqlite_settings, standin
) -> None:
    old = int((utcnow() - timedelta(hours=25)).timestamp())
    async with running(whatsapp_channel(standin)) as h:
        await h.post(*signed(f.wa_text(USER, "hi", timestamp=old)))
        await h.settle()
    [inbound] = messages(sqlite_settings)
    assert inbound.status == "failed" and "24-hour" in inbound.error
    assert h.agent.messages == [] and standin.requests == []


async def test_second_tenant_routed_by_phone_number_id(sqlite_settings, standin, secret_keys):
    tenant_id = add_tenant(sqlite_settings, "acme", timezone="America/New_York")
    with session_scope(sqlite_settings) as session:
        create_channel_account(
            session,
            tenant_id=tenant_id,
            channel="whatsapp",
            account_id="2222",
            secrets=ChannelSecrets(
                access_token="acme-token", app_secret="acme-secret", verify_token="acme-verify"
            ),
            box=SecretBox.from_env(),
        )
    payload = f.wa_webhook(
        f.wa_value(
            phone_number_id="2222",
            contacts=[f.wa_contact(USER)],
            messages=[f.wa_message(USER, text={"body": "hi"})],
        )
    )
    async with running(whatsapp_channel(standin)) as h:
        verify = await h.client.get(
            h.url + "/whatsapp_webhook",
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": "acme-verify",
                "hub.challenge": "7",
            },
        )
        # Signed with the default tenant's secret: only the app of the account named may sign.
        wrong_app = await h.post(*signed(payload))
        await h.settle()
        assert wrong_app.status_code == 403 and count(sqlite_settings) == 0
        await h.post(*signed(payload, "acme-secret"))
        await h.post(*signed(f.wa_text(USER, "hi")))  # the same user on the default number
        await h.settle()
    assert verify.text == "7"
    senders = sorted(m.sender_id for m in h.agent.messages)
    assert senders == [f"acme:whatsapp:{USER}", f"default:whatsapp:{USER}"]
    acme = next(m for m in h.agent.messages if m.sender_id.startswith("acme"))
    assert acme.metadata["timezone"] == "America/New_York"
    [to_acme] = [r for r in standin.messages("/whatsapp") if "/2222/" in r.path]
    assert to_acme.headers["Authorization"] == "Bearer acme-token"
