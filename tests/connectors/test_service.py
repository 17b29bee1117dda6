"""ChannelService: what each role runs, and the whole pipeline (receive, handle, send) on a
plain Sanic app with an injected assistant, no Rasa involved."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from sanic import Sanic

from booking_core.messaging.claimer import RELEASED
from booking_core.messaging.inbox import claim_next
from booking_core.messaging.records import Job
from connectors.context import SendContext
from connectors.inbox import InboxSettings
from connectors.outgoing import Outgoing
from connectors.service import ChannelService, Role
from connectors.whatsapp.platform import WhatsAppPlatform
from standins import webhooks as f
from standins.platform_apis import text_of
from tests.connectors.conftest import WA_APP_SECRET, serve, whatsapp_service
from tests.connectors.helpers import messages


@pytest.mark.parametrize(
    ("role", "sender", "poll", "consume", "send"),
    [
        (Role.ALL, "rasa", 1.0, True, True),
        (Role.ALL, "ingest", 1.0, True, False),
        (Role.INGEST, "rasa", 1.0, False, False),
        (Role.INGEST, "ingest", 1.0, False, True),
        (Role.ALL, "rasa", 0.0, False, False),  # INBOX_POLL_SECONDS=0: nothing runs
    ],
)
def test_the_role_decides_what_runs(role, sender, poll, consume, send) -> None:
    settings = InboxSettings(poll_seconds=poll, lease=timedelta(minutes=2), sender=sender)
    service = ChannelService(WhatsAppPlatform(), role=role, settings=settings)
    assert (service.consume, service.send_replies) == (consume, send)
    assert service.url_prefix() == "/whatsapp_webhook"


async def test_the_whole_pipeline_without_rasa(sqlite_settings, standin) -> None:
    said: list[tuple[str, bool]] = []

    async def respond(job: Job, ctx: SendContext, text: str, taken_over: bool) -> list[Outgoing]:
        said.append((text, taken_over))
        return WhatsAppPlatform().format(ctx.recipient, text=f"you said: {text}")

    service = whatsapp_service(standin, role=Role.ALL, respond=respond)
    Sanic.test_mode = True
    app = Sanic(f"service_{uuid.uuid4().hex}")
    app.blueprint(service.blueprint())
    body = f.body_bytes(f.wa_text("447700900070", "hello"))
    async with serve(app) as url, httpx.AsyncClient() as client:
        answer = await client.post(url + "/whatsapp_webhook", content=body,
                                   headers=f.meta_headers(body, WA_APP_SECRET))  # fmt: skip
        await service.settle()
    assert answer.status_code == 200 and said == [("hello", False)]
    [reply] = [r for r in standin.messages("/whatsapp") if r.json.get("type") == "text"]
    assert text_of(reply) == "you said: hello"
    assert [(m.direction, m.status) for m in messages(sqlite_settings)] == [
        ("in", "processed"),
        ("out", "sent"),
    ]


async def test_an_ingest_service_refuses_to_answer_if_asked(sqlite_settings, standin) -> None:
    service = whatsapp_service(standin)
    with pytest.raises(RuntimeError, match="does not handle"):
        await service.handler.respond(None, None, "hi", False)  # type: ignore[arg-type]


async def test_a_stopping_service_releases_what_it_could_not_finish(sqlite_settings,
                                                                     standin) -> None:  # fmt: skip
    """SIGTERM mid-message: running work gets the stop's timeout, then its claim is released,
    so another process takes it at once instead of after the lease (connectors/service.py)."""
    started = asyncio.Event()

    async def respond(job: Job, ctx: SendContext, text: str, taken_over: bool) -> list[Outgoing]:
        started.set()
        await asyncio.sleep(60)  # still thinking when the process is told to stop
        return []

    service = whatsapp_service(standin, role=Role.ALL, respond=respond)
    Sanic.test_mode = True
    app = Sanic(f"service_{uuid.uuid4().hex}")
    app.blueprint(service.blueprint())
    body = f.body_bytes(f.wa_text("447700900071", "hello"))
    async with serve(app) as url, httpx.AsyncClient() as client:
        answer = await client.post(url + "/whatsapp_webhook", content=body,
                                   headers=f.meta_headers(body, WA_APP_SECRET))  # fmt: skip
        await asyncio.wait_for(started.wait(), 10)
        await service.shutdown(timeout=0.1)
    assert answer.status_code == 200
    [row] = messages(sqlite_settings)
    assert (row.status, row.claimed_by, row.claimed_at is not None) == ("received", RELEASED, True)
    lease = timedelta(minutes=2)
    [again] = claim_next(sqlite_settings, channel="whatsapp", limit=1, lease=lease)
    assert again.previous_claim is not None  # taken over: the tracker is checked first
