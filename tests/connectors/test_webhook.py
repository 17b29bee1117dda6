"""The shared pipeline inside Rasa: channels from credentials.yml via Rasa's own loader and app
factory, REST unaffected, restart recovery, database outages (503), shutdown."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from rasa.core import run as rasa_run

from booking_core.db.models import Message
from booking_core.messaging.inbox import claim_next
from booking_core.messaging.store import persist_inbound
from connectors.instagram import InstagramInput
from connectors.rest import RestInput
from connectors.service import Role
from connectors.telegram import TelegramInput
from connectors.whatsapp import WhatsAppInput
from connectors.whatsapp.parse import parse_whatsapp
from standins import webhooks as f
from standins.platform_apis import text_of
from tests.connectors.conftest import (
    TG_SECRET,
    WA_APP_SECRET,
    FakeAgent,
    running,
    serve,
    telegram_channel,
    whatsapp_channel,
)
from tests.connectors.helpers import count, messages

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_ENV = {
    "WHATSAPP_VERIFY_TOKEN": "v",
    "WHATSAPP_APP_SECRET": "s",
    "WHATSAPP_ACCESS_TOKEN": "t",
    "WHATSAPP_PHONE_NUMBER_ID": "1",
    "TELEGRAM_BOT_TOKEN": "1:x",
    "TELEGRAM_WEBHOOK_SECRET": "y",
    "INSTAGRAM_APP_ID": "a",
    "INSTAGRAM_APP_SECRET": "b",
    "INSTAGRAM_PAGE_ID": "2",
    "INSTAGRAM_ACCESS_TOKEN": "c",
    "INSTAGRAM_VERIFY_TOKEN": "d",
    "REST_CHANNEL_TOKEN": "r",
}


def test_credentials_yml_loads_all_three_channels_through_rasa(monkeypatch) -> None:
    for name, value in PLATFORM_ENV.items():
        monkeypatch.setenv(name, value)
    channels = rasa_run.create_http_input_channels(None, str(ROOT / "credentials.yml"))
    by_name = {c.name(): c for c in channels}
    assert set(by_name) == {"rest", "whatsapp", "telegram", "instagram"}
    assert isinstance(by_name["whatsapp"], WhatsAppInput)
    assert isinstance(by_name["telegram"], TelegramInput)
    assert isinstance(by_name["instagram"], InstagramInput)
    assert isinstance(by_name["rest"], RestInput) and by_name["rest"].token == "r"
    wa = by_name["whatsapp"].directory.env_account
    assert wa is not None and (wa.account_id, wa.app_secret) == ("1", "s")
    tg = by_name["telegram"].directory.env_account
    assert tg is not None and (tg.account_id, tg.webhook_secret) == ("1", "y")


def test_credentials_yml_loads_through_rasa_with_no_variable_set(monkeypatch, caplog) -> None:
    """What plain `rasa run` and `rasa shell` read on a fresh clone: no exception, every
    platform left off with one line, the REST channel on (loopback only)."""
    for name in PLATFORM_ENV:
        monkeypatch.delenv(name, raising=False)
    caplog.set_level(logging.INFO, logger="connectors")
    channels = rasa_run.create_http_input_channels(None, str(ROOT / "credentials.yml"))
    by_name = {c.name(): c for c in channels}
    assert set(by_name) == {"rest", "whatsapp", "telegram", "instagram"}
    assert all(by_name[p].directory.env_account is None for p in ("whatsapp", "telegram",
                                                                  "instagram"))  # fmt: skip
    assert isinstance(by_name["rest"], RestInput) and by_name["rest"].token is None
    left_off = [r.getMessage() for r in caplog.records if "left off" in r.getMessage()]
    assert sorted(line.split(":")[0] for line in left_off) == ["instagram", "telegram",
                                                               "whatsapp"]  # fmt: skip
    [cmdline] = rasa_run.create_http_input_channels("cmdline", str(ROOT / "credentials.yml"))
    assert cmdline.name() == "cmdline"  # `rasa shell`


def test_api_urls_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("WHATSAPP_API_URL", "http://127.0.0.1:9/graph/")
    monkeypatch.delenv("TELEGRAM_API_URL", raising=False)
    assert WhatsAppInput.from_credentials({}).api_url == "http://127.0.0.1:9/graph"
    assert TelegramInput.from_credentials(None).api_url == "https://api.telegram.org"
    monkeypatch.delenv("INSTAGRAM_API_URL", raising=False)
    assert InstagramInput.from_credentials({}).api_url == "https://graph.instagram.com/v23.0"


async def test_rasa_app_serves_exact_paths_next_to_rest(sqlite_settings, standin) -> None:
    from sanic import Sanic

    Sanic.test_mode = True
    channels = [RestInput(), whatsapp_channel(standin), telegram_channel(standin)]
    app = rasa_run.configure_app(channels, enable_api=True, port=0)
    agent = FakeAgent()
    app.ctx.agent = agent
    paths = {route.path for route in app.router.routes}
    assert {"whatsapp_webhook", "telegram_webhook", "webhooks/rest/webhook"} <= paths
    import httpx

    async with serve(app) as url, httpx.AsyncClient() as client:
        rest = await client.post(
            url + "/webhooks/rest/webhook", json={"sender": "me", "message": "hi"}
        )
        body = f.body_bytes(f.tg_text(42, "hi"))
        tg = await client.post(
            url + "/telegram_webhook", content=body, headers=f.telegram_headers(TG_SECRET)
        )
        await channels[2].settle()
    assert rest.json() == [{"recipient_id": "default:rest:me", "text": "echo: hi"}]
    assert tg.status_code == 200
    assert text_of(standin.sent("/telegram", "sendMessage")[0]) == "echo: hi"


async def test_message_stored_but_never_processed_is_processed_at_start_up(
    sqlite_settings, standin
) -> None:
    channel = whatsapp_channel(standin)
    assert channel.directory.env_account is not None
    [inbound] = parse_whatsapp(f.body_bytes(f.wa_text("447700900009", "lost in a crash"))).messages
    job = persist_inbound(None, channel.directory.env_account, inbound)
    assert job is not None  # acknowledged, then the process died

    async with running(channel) as h:
        for _ in range(100):
            if h.agent.messages and not (channel.inbox.busy or channel.outbox.busy):
                break
            await asyncio.sleep(0.05)
        await h.settle()
    assert [m.text for m in h.agent.messages] == ["lost in a crash"]
    assert h.agent.messages[0].sender_id == "default:whatsapp:447700900009"
    statuses = [(m.direction, m.status) for m in messages(sqlite_settings)]
    assert statuses == [("in", "processed"), ("out", "sent")]


def _store(account, user: str, text: str):  # type: ignore[no-untyped-def]
    [inbound] = parse_whatsapp(f.body_bytes(f.wa_text(user, text))).messages
    job = persist_inbound(None, account, inbound)
    assert job is not None
    return job


async def test_claimed_messages_are_left_alone_and_abandoned_ones_taken_over(
    sqlite_settings, standin
) -> None:
    from datetime import timedelta

    channel = whatsapp_channel(standin)
    account = channel.directory.env_account
    jobs = [
        _store(account, user, text)
        for user, text in (
            ("447700900001", "busy elsewhere"),
            ("447700900002", "abandoned"),
            ("447700900002", "after the abandoned one"),
            ("447700900003", "never started"),
        )
    ]
    # Another live process is handling the first; the one handling the second died.
    claimed = claim_next(None, channel="whatsapp", limit=2, lease=channel.lease)
    assert [c.job.message_id for c in claimed] == [jobs[0].message_id, jobs[1].message_id]
    async with running(channel) as h:
        await h.settle()
        # The second sender's later message waits for the abandoned one: order per sender.
        assert [m.text for m in h.agent.messages] == ["never started"]
        channel.lease = timedelta(seconds=-1)  # time passes: both claims expire
        channel.inbox.wake()
        await h.settle()
    texts = [m.text for m in h.agent.messages]
    assert sorted(texts[1:]) == ["abandoned", "after the abandoned one", "busy elsewhere"]
    # In order within a conversation (other conversations' messages may come in between).
    assert texts.index("abandoned") < texts.index("after the abandoned one")
    assert {m.status for m in messages(sqlite_settings, "in")} == {"processed"}


async def test_a_slow_process_that_lost_its_claim_queues_nothing(sqlite_settings, standin) -> None:
    """The lease ran out while Rasa worked and another process took the message over: the slow
    process's completion is refused, so only one answer is ever queued."""
    from datetime import timedelta

    from booking_core.messaging.inbox import claim_next, complete_inbound
    from connectors.outgoing import Outgoing

    job = _store(whatsapp_channel(standin).directory.env_account, "447700900004", "slow")
    [slow] = claim_next(None, channel="whatsapp", limit=1, lease=timedelta(minutes=2))
    [fast] = claim_next(None, channel="whatsapp", limit=1, lease=timedelta(seconds=-1))
    reply = [Outgoing({"to": "447700900004"}, "answer")]
    kwargs = {"error": None, "replies": reply, "account_id": "1", "recipient": "447700900004"}
    assert complete_inbound(None, fast, **kwargs)
    assert not complete_inbound(None, slow, **kwargs)
    assert [m.status for m in messages(sqlite_settings)] == ["processed", "queued"]
    assert slow.job.message_id == fast.job.message_id == job.message_id


async def test_a_reply_a_dead_sender_left_in_sending_is_not_sent_again(
    sqlite_settings, standin
) -> None:
    from datetime import timedelta

    from booking_core.messaging.inbox import claim_next, complete_inbound
    from booking_core.messaging.outbox import UNKNOWN_SEND_OUTCOME, claim_next_outbound
    from connectors.outgoing import Outgoing

    channel = whatsapp_channel(standin)
    _store(channel.directory.env_account, "447700900006", "hi")
    [claimed] = claim_next(None, channel="whatsapp", limit=1, lease=channel.lease)
    user = "447700900006"
    replies = [Outgoing({"to": user, "n": 1}, "one"), Outgoing({"to": user, "n": 2}, "two")]
    assert complete_inbound(
        None, claimed, error=None, replies=replies, account_id=f.PHONE_NUMBER_ID, recipient=user
    )
    # A sender claimed the first part and died mid-request.
    [first] = claim_next_outbound(None, channel="whatsapp", limit=5, lease=channel.lease)
    assert not first.abandoned
    channel.lease = timedelta(seconds=-1)
    async with running(channel) as h:
        await h.settle()
    sent = standin.messages("/whatsapp")
    assert [r.json.get("n") for r in sent] == [2]  # the second part went out, the first not again
    out = messages(sqlite_settings, "out")
    assert [(m.status, m.error) for m in out] == [("failed", UNKNOWN_SEND_OUTCOME), ("sent", None)]


async def test_two_processes_consuming_one_store_handle_each_message_once_in_order(
    sqlite_settings, standin
) -> None:
    first = whatsapp_channel(standin)
    second = whatsapp_channel(standin)
    account = first.directory.env_account
    for n in range(6):
        _store(account, f"44770090001{n % 3}", f"message {n}")
    agent = FakeAgent()  # shared: its list is the order in which both processes handled them
    async with running(first, agent) as a, running(second, agent) as b:
        await asyncio.gather(a.settle(), b.settle())
        await asyncio.gather(a.settle(), b.settle())
    handled = agent.messages
    assert sorted(m.text for m in handled) == [f"message {n}" for n in range(6)]
    for user in range(3):
        mine = [m.text for m in handled if m.sender_id.endswith(f"1{user}")]
        assert mine == [f"message {user}", f"message {user + 3}"]
    assert len(standin.messages("/whatsapp")) == 6


async def test_ingest_only_channel_stores_and_never_handles(sqlite_settings, standin) -> None:
    channel = whatsapp_channel(standin, role=Role.INGEST)
    async with running(channel) as h:
        body = f.body_bytes(f.wa_text("447700900005", "stored only"))
        assert (await h.post(body, f.meta_headers(body, WA_APP_SECRET))).status_code == 200
        await h.settle()  # an ingest role starts no inbox: nothing can pick the message up
        assert not channel.inbox.busy
    assert h.agent.messages == []
    [inbound] = messages(sqlite_settings, "in")
    assert inbound.status == "received" and inbound.processed_at is None


async def test_database_down_answers_503(monkeypatch, standin) -> None:
    from booking_core.settings import get_settings

    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none?connect_timeout=2"
    )
    get_settings.cache_clear()
    try:
        async with running(whatsapp_channel(standin)) as h:
            body = f.body_bytes(f.wa_text("447700900001", "hi"))
            wa = await h.post(body, f.meta_headers(body, WA_APP_SECRET))
            verify = await h.client.get(
                h.url + "/whatsapp_webhook",
                params={
                    "hub.mode": "subscribe",
                    "hub.verify_token": "unknown",
                    "hub.challenge": "1",
                },
            )
        async with running(telegram_channel(standin)) as h:
            tg = await h.post(f.tg_text(1, "hi"), f.telegram_headers(TG_SECRET))
    finally:
        get_settings.cache_clear()
    assert (wa.status_code, verify.status_code, tg.status_code) == (503, 503, 503)
    assert standin.requests == []


async def test_failing_agent_marks_message_failed_and_is_not_retried(sqlite_settings, standin):
    def boom(message):
        raise RuntimeError("model exploded")

    async with running(whatsapp_channel(standin), FakeAgent(reply=boom)) as h:
        body = f.body_bytes(f.wa_text("447700900001", "hi"))
        response = await h.post(body, f.meta_headers(body, WA_APP_SECRET))
        await h.settle()
    assert response.status_code == 200
    [inbound] = messages(sqlite_settings)
    assert inbound.status == "failed" and "model exploded" in inbound.error
    assert count(sqlite_settings, Message) == 1


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_webhooks_reject_nothing_but_their_own_paths(sqlite_settings, standin, method):
    async with running(whatsapp_channel(standin)) as h:
        response = await h.client.request(method, h.url + "/whatsapp_webhook/extra")
    assert response.status_code == 404


async def test_slow_acknowledgement_is_logged(
    sqlite_settings, standin, monkeypatch, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="connectors.receiving")
    channel = whatsapp_channel(standin, role=Role.INGEST)
    monkeypatch.setattr("connectors.receiving.SLOW_ACK_SECONDS", 0.0)
    async with running(channel) as h:
        body = f.body_bytes(f.wa_text("447700900006", "slow"))
        assert (await h.post(body, f.meta_headers(body, WA_APP_SECRET))).status_code == 200
    assert [r for r in caplog.records if "whatsapp webhook answered 200 after" in r.getMessage()]


async def test_a_queued_notice_is_formatted_for_the_platform_and_sent_once(
    sqlite_settings, standin
) -> None:
    from datetime import datetime, timedelta, timezone

    from booking_core.db.models import CalendarEvent
    from booking_core.db.session import session_scope
    from booking_core.db.types import utcnow
    from booking_core.messaging.inbox import complete_inbound
    from booking_core.notices import queue_confirmation_notice

    channel = whatsapp_channel(standin)
    user = "447700900031"
    job = _store(channel.directory.env_account, user, "book a haircut")
    [claimed] = claim_next(None, channel="whatsapp", limit=1, lease=channel.lease)
    assert complete_inbound(None, claimed, error=None, replies=[], account_id=f.PHONE_NUMBER_ID,
                            recipient=user)  # fmt: skip  # answered at the time
    start = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)
    with session_scope() as session:  # the worker completes the booking saved during an outage
        event = CalendarEvent(
            tenant_id=job.tenant.id,
            contact_id=job.contact_id,
            title="Haircut",
            start=start,
            end=start + timedelta(minutes=45),
            timezone="Europe/London",
            provider="builtin",
            status="confirmed",
        )
        session.add(event)
        session.flush()
        notice = queue_confirmation_notice(session, event=event, now=utcnow())
        assert notice is not None
    async with running(channel) as h:
        await h.settle()
    [sent] = standin.messages("/whatsapp")
    assert sent.json["to"] == user and sent.json["type"] == "text"
    assert text_of(sent) == (
        "Your booking is now in the calendar: Haircut, Wed 2 Dec, 15:00-15:45 (Europe/London)."
    )
    [out] = messages(sqlite_settings, "out")
    assert (out.status, out.platform_message_id is not None) == ("sent", True)


def test_notices_take_each_platform_s_plain_text_form(standin) -> None:
    from tests.connectors.conftest import instagram_channel

    telegram = telegram_channel(standin).platform.notice("42", "It is booked.")
    assert telegram["method"] == "sendMessage"
    assert (telegram["request"]["chat_id"], telegram["request"]["text"]) == (42, "It is booked.")
    instagram = instagram_channel(standin).platform.notice("9001", "It is booked.")["request"]
    assert instagram["recipient"] == {"id": "9001"}
    assert instagram["message"]["text"] == "It is booked."


@pytest.mark.parametrize("platform", ["whatsapp", "telegram"])
async def test_text_over_the_limit_is_answered_without_rasa(sqlite_settings, standin, platform):
    from connectors.limits import MAX_TEXT_CHARS, TOO_LONG_REPLY

    long = "a" * (MAX_TEXT_CHARS + 1)
    if platform == "whatsapp":
        channel, body = whatsapp_channel(standin), f.body_bytes(f.wa_text("447700900001", long))
        headers = f.meta_headers(body, WA_APP_SECRET)
    else:
        channel, body = telegram_channel(standin), f.body_bytes(f.tg_text(42, long))
        headers = f.telegram_headers(TG_SECRET)
    async with running(channel) as h:
        assert (await h.post(body, headers)).status_code == 200
        await h.settle()
    assert h.agent.messages == []
    [reply] = [r for r in standin.messages(f"/{platform}") if text_of(r)]
    assert text_of(reply) == TOO_LONG_REPLY
    assert messages(sqlite_settings, "in")[0].status == "processed"
