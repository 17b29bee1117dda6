"""TelegramInput end to end over HTTP: secret-token auth, update_id de-duplication, inline
keyboards, callback answers, against the stand-in Bot API."""

from __future__ import annotations

import asyncio

import pytest

from booking_core.crypto import SecretBox
from booking_core.db.models import Contact, Message
from booking_core.db.repository import ChannelSecrets, create_channel_account
from booking_core.db.session import session_scope
from connectors.webhook import TEXT_ONLY_REPLY
from standins import webhooks as f
from standins.platform_apis import StandIn, buttons_of, text_of
from tests.connectors.conftest import TG_SECRET, FakeAgent, running, telegram_channel
from tests.connectors.helpers import add_tenant, count, messages

CHAT = 777000111
HEADERS = f.telegram_headers(TG_SECRET)


async def test_get_echoes_challenge_and_paths(sqlite_settings, standin) -> None:
    async with running(telegram_channel(standin)) as h:
        echoed = await h.client.get(h.url + "/telegram_webhook", params={"challenge": "abc123"})
        assert (echoed.status_code, echoed.text) == (200, "abc123")
        assert (await h.client.get(h.url + "/webhooks/telegram_webhook")).status_code == 404


async def test_text_update_is_answered_with_typing_first(sqlite_settings, standin: StandIn):
    async with running(telegram_channel(standin)) as h:
        response = await h.post(f.tg_text(CHAT, "book a meeting"), HEADERS)
        await h.settle()
    assert response.status_code == 200
    [message] = h.agent.messages
    assert message.sender_id == f"default:telegram:{CHAT}"
    assert message.metadata["language"] == "en" and message.metadata["display_name"] == "Alice"
    methods = [r.api_method for r in standin.sent("/telegram")]
    assert methods == ["sendChatAction", "sendMessage"]
    reply = standin.sent("/telegram", "sendMessage")[0]
    assert reply.path == f"/telegram/bot{f.BOT_TOKEN}/sendMessage"
    assert reply.json["chat_id"] == CHAT and text_of(reply) == "echo: book a meeting"
    inbound, outbound = messages(sqlite_settings)
    assert inbound.platform_message_id == str(message.metadata["platform_message_id"])
    assert (inbound.status, outbound.status) == ("processed", "sent")
    chat, message_id = outbound.platform_message_id.split(":")
    assert chat == str(CHAT) and int(message_id) > 1000  # chat id : message id


async def test_missing_or_wrong_secret_stores_nothing(sqlite_settings, standin) -> None:
    async with running(telegram_channel(standin)) as h:
        missing = await h.post(f.tg_text(CHAT, "hi"), {"Content-Type": "application/json"})
        wrong = await h.post(f.tg_text(CHAT, "hi"), f.telegram_headers("not-the-secret"))
    assert (missing.status_code, wrong.status_code) == (401, 403)
    assert count(sqlite_settings, Message) == 0 and count(sqlite_settings, Contact) == 0
    assert standin.requests == []


@pytest.mark.parametrize(
    "payload",
    [
        b"nope",
        b'{"message": {}}',
        b'{"update_id": "1"}',
        b'{"update_id": 5, "message": {"chat": 3}}',
    ],
)
async def test_malformed_is_400(sqlite_settings, standin, payload) -> None:
    async with running(telegram_channel(standin)) as h:
        response = await h.post(payload, HEADERS)
    assert response.status_code == 400 and count(sqlite_settings) == 0


async def test_updates_without_a_message_are_ignored(sqlite_settings, standin) -> None:
    async with running(telegram_channel(standin)) as h:
        response = await h.post(f.tg_my_chat_member(CHAT), HEADERS)
        await h.settle()
    assert response.status_code == 200 and count(sqlite_settings) == 0
    assert h.agent.messages == [] and standin.requests == []


async def test_duplicate_update_ids_answer_once(db_settings, standin) -> None:
    update = f.tg_text(CHAT, "hello", update_id=424242)
    async with running(telegram_channel(standin), FakeAgent(delay=0.05)) as h:
        responses = await asyncio.gather(*(h.post(update, HEADERS) for _ in range(3)))
        await h.settle()
    assert [r.status_code for r in responses] == [200] * 3
    assert len(h.agent.messages) == 1
    assert len(standin.sent("/telegram", "sendMessage")) == 1


async def test_media_gets_text_only_answer(sqlite_settings, standin) -> None:
    async with running(telegram_channel(standin)) as h:
        await h.post(f.tg_photo(CHAT), HEADERS)
        await h.settle()
    assert h.agent.messages == []
    [reply] = standin.sent("/telegram", "sendMessage")
    assert text_of(reply) == TEXT_ONLY_REPLY


async def test_start_command_and_edits(sqlite_settings, standin) -> None:
    async with running(telegram_channel(standin)) as h:
        await h.post(f.tg_text(CHAT, "/start"), HEADERS)
        await h.post(f.tg_edited(CHAT, "at 4pm instead"), HEADERS)
        await h.settle()
    first, edit = h.agent.messages
    assert first.text == "/greet"
    assert edit.text == "at 4pm instead" and edit.metadata["edited"] is True


def confirmation(message) -> list[dict]:
    if message.text != "book it":
        return [{"text": f"got {message.text}"}]
    buttons = [
        {"title": "Yes", "payload": "/affirm"},
        {"title": "Change", "payload": '/change_booking{"booking_field": "time"}'},
        {
            "title": "Make it 90 minutes",
            "payload": '/inform{"duration": 5400, "event_title": "Quarterly business review"}',
        },
    ]
    return [{"text": "Shall I book it?", "buttons": buttons}]


async def test_keyboard_press_is_answered_keyboard_removed_payload_forwarded(
    sqlite_settings, standin
) -> None:
    async with running(telegram_channel(standin), FakeAgent(reply=confirmation)) as h:
        await h.post(f.tg_text(CHAT, "book it"), HEADERS)
        await h.settle()
        [sent] = standin.sent("/telegram", "sendMessage")
        keys = buttons_of(sent)
        assert keys[:2] == [
            ("Yes", "/affirm"),
            ("Change", '/change_booking{"booking_field": "time"}'),
        ]
        assert keys[2] == ("Make it 90 minutes", "#2")  # 69 bytes > 64: a reference
        assert all(len(data.encode()) <= 64 for _, data in keys)
        outbound = messages(sqlite_settings, "out")[0]
        message_id = int(outbound.platform_message_id.split(":")[1])

        await h.post(f.tg_callback(CHAT, "/affirm", message_id), HEADERS)
        await h.post(f.tg_callback(CHAT, "#2", message_id), HEADERS)
        await h.settle()
    assert [m.text for m in h.agent.messages[1:]] == [
        "/affirm",
        '/inform{"duration": 5400, "event_title": "Quarterly business review"}',
    ]
    answers = standin.sent("/telegram", "answerCallbackQuery")
    assert len(answers) == 2 and all(a.json["callback_query_id"] for a in answers)
    removed = standin.sent("/telegram", "editMessageReplyMarkup")
    assert removed[0].json == {
        "chat_id": CHAT,
        "message_id": message_id,
        "reply_markup": {"inline_keyboard": []},
    }


async def test_unknown_reference_answers_expired(sqlite_settings, standin) -> None:
    async with running(telegram_channel(standin)) as h:
        await h.post(f.tg_callback(CHAT, "#7", 99999), HEADERS)
        await h.settle()
    assert h.agent.messages == []
    assert "no longer available" in text_of(standin.sent("/telegram", "sendMessage")[0])


async def test_long_text_is_chunked_and_keyboard_rides_on_the_last(sqlite_settings, standin):
    text = ("Lorem ipsum dolor sit amet. " * 200).strip()  # ~5600 characters

    def long(message):
        return [{"text": text, "buttons": [{"title": "OK", "payload": "/affirm"}]}]

    async with running(telegram_channel(standin), FakeAgent(reply=long)) as h:
        await h.post(f.tg_text(CHAT, "hi"), HEADERS)
        await h.settle()
    first, last = standin.sent("/telegram", "sendMessage")
    assert len(first.json["text"]) <= 4096 and "reply_markup" not in first.json
    assert last.json["reply_markup"]["inline_keyboard"] == [
        [{"text": "OK", "callback_data": "/affirm"}]
    ]
    assert " ".join((first.json["text"] + " " + last.json["text"]).split()) == text


async def test_429_retry_after_then_success(sqlite_settings, standin) -> None:
    too_many = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    standin.fail_next("sendMessage", 429, too_many)
    async with running(telegram_channel(standin)) as h:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await h.post(f.tg_text(CHAT, "hi"), HEADERS)
        await h.settle()
        elapsed = loop.time() - started
    assert len(standin.sent("/telegram", "sendMessage")) == 2
    assert elapsed >= 1.0
    assert messages(sqlite_settings, "out")[0].status == "sent"


async def test_bot_of_a_second_tenant_is_routed_by_its_secret(
    sqlite_settings, standin, secret_keys
) -> None:
    tenant_id = add_tenant(sqlite_settings, "acme")
    with session_scope(sqlite_settings) as session:
        create_channel_account(
            session,
            tenant_id=tenant_id,
            channel="telegram",
            account_id="555",
            secrets=ChannelSecrets(bot_token="555:acme-bot-token", webhook_secret="acme_secret"),
            box=SecretBox.from_env(),
        )
    async with running(telegram_channel(standin)) as h:
        await h.post(f.tg_text(CHAT, "hi", update_id=1), f.telegram_headers("acme_secret"))
        await h.post(f.tg_text(CHAT, "hi", update_id=1), HEADERS)  # same id, other bot: new
        await h.settle()
    assert sorted(m.sender_id for m in h.agent.messages) == [
        f"acme:telegram:{CHAT}",
        f"default:telegram:{CHAT}",
    ]
    paths = {r.path for r in standin.sent("/telegram", "sendMessage")}
    assert paths == {
        "/telegram/bot555:acme-bot-token/sendMessage",
        f"/telegram/bot{f.BOT_TOKEN}/sendMessage",
    }


async def test_update_ids_are_per_bot_two_bots_of_one_tenant_both_answered(
    db_settings, standin, secret_keys
) -> None:
    """Telegram counts update ids per bot: the same update_id reaching a tenant's two bots is
    two messages, each answered by its own bot; redelivered to one bot it is still one."""
    tenant_id = add_tenant(db_settings, "acme")
    with session_scope(db_settings) as session:
        for bot, secret in (("555", "acme_first"), ("556", "acme_second")):
            create_channel_account(
                session,
                tenant_id=tenant_id,
                channel="telegram",
                account_id=bot,
                secrets=ChannelSecrets(bot_token=f"{bot}:acme-token", webhook_secret=secret),
                box=SecretBox.from_env(),
            )
    update = f.tg_text(CHAT, "hi", update_id=31337)
    async with running(telegram_channel(standin)) as h:
        for secret in ("acme_first", "acme_second", "acme_first"):  # the last: a redelivery
            assert (await h.post(update, f.telegram_headers(secret))).status_code == 200
        await h.settle()
    assert [m.sender_id for m in h.agent.messages] == [f"acme:telegram:{CHAT}"] * 2
    paths = sorted(r.path for r in standin.sent("/telegram", "sendMessage"))
    assert paths == [
        "/telegram/bot555:acme-token/sendMessage",
        "/telegram/bot556:acme-token/sendMessage",
    ]
    stored = [m.platform_message_id for m in messages(db_settings, "in")]
    assert stored == ["555:31337", "556:31337"]
