"""The webhook's doors on a plain Sanic app (no Rasa): size limit, refusals, storage, GET
handshakes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.limits import MAX_BODY_BYTES
from connectors.receiving import Receiver
from connectors.service import ChannelService
from standins import webhooks as f
from tests.connectors.conftest import WA_APP_SECRET, WA_VERIFY, serve, whatsapp_service
from tests.connectors.helpers import messages


@asynccontextmanager
async def mounted(receiver: Receiver) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """Only the receiver's two routes, on a fresh app."""
    Sanic.test_mode = True
    app = Sanic(f"receiving_{uuid.uuid4().hex}")

    async def verify(request: Request) -> HTTPResponse:
        return await receiver.verify(request)

    async def receive(request: Request) -> HTTPResponse:
        return await receiver.receive(request)

    app.add_route(verify, "/hook", methods=["GET"])
    app.add_route(receive, "/hook", methods=["POST"])
    async with serve(app) as url, httpx.AsyncClient() as client:
        yield url + "/hook", client


async def test_post_refuses_stores_and_counts_stored_messages(sqlite_settings, standin) -> None:
    service: ChannelService = whatsapp_service(standin)
    stored: list[int] = []
    receiver = Receiver(service.platform, service.directory, service.writer,
                        database_url=None, on_stored=lambda: stored.append(1))  # fmt: skip
    body = f.body_bytes(f.wa_text("447700900080", "hi"))
    async with mounted(receiver) as (url, client):
        huge = await client.post(url, content=b"x" * (MAX_BODY_BYTES + 1))
        unsigned = await client.post(url, content=body)
        ok = await client.post(url, content=body, headers=f.meta_headers(body, WA_APP_SECRET))
        again = await client.post(url, content=body, headers=f.meta_headers(body, WA_APP_SECRET))
    statuses = (huge.status_code, unsigned.status_code, ok.status_code, again.status_code)
    assert statuses == (413, 401, 200, 200)
    assert stored == [1]  # the redelivery is not stored again
    assert [m.text for m in messages(sqlite_settings, "in")] == ["hi"]


async def test_get_answers_meta_s_handshake(sqlite_settings, standin) -> None:
    service = whatsapp_service(standin)
    params = {"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "123"}
    async with mounted(service.receiver) as (url, client):
        good = await client.get(url, params=params)
        bad = await client.get(url, params={**params, "hub.verify_token": "wrong"})
    assert (good.status_code, good.text, bad.status_code) == (200, "123", 403)
