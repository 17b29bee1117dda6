"""Connector fixtures: stand-in platform APIs, encryption keys, and a real Sanic server with a
channel registered through Rasa's own `register()` and a fake agent in place of the model."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import UserMessage, register
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from booking_core.crypto import generate_key
from booking_core.settings import get_settings
from connectors.accounts import Account
from connectors.instagram import InstagramInput
from connectors.retry import RetryPolicy
from connectors.service import ChannelService, Role
from connectors.telegram import TelegramInput
from connectors.webhook import WebhookInput
from connectors.whatsapp import WhatsAppInput
from connectors.whatsapp.platform import WhatsAppPlatform
from standins import webhooks as f
from standins.platform_apis import StandIn

WA_APP_SECRET = "wa-app-secret"
WA_VERIFY = "wa-verify-token"
IG_APP_SECRET = "ig-app-secret"
IG_VERIFY = "ig-verify-token"
TG_SECRET = "tg_webhook-secret_0123456789"

FAST = RetryPolicy(
    attempts=4, base_delay=0.01, max_delay=0.05, max_wait=3.0, timeout=5.0, jitter=False
)


@pytest.fixture
def secret_keys(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Two fresh Fernet keys in SECRET_KEYS (the first encrypts)."""
    keys = [generate_key(), generate_key()]
    monkeypatch.setenv("SECRET_KEYS", ",".join(keys))
    return keys


@pytest.fixture
def sqlite_settings(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL pointing at a fresh migrated SQLite file (for tests where one backend is
    enough; the de-duplication tests use the shared `db_settings`, both backends)."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    for name in ("DEFAULT_TENANT_SLUG", "DEFAULT_TIMEZONE", "DEFAULT_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


@pytest.fixture
def standin() -> Iterator[StandIn]:
    """Stand-in Graph and Bot API server on a free loopback port."""
    with StandIn() as server:
        yield server


def whatsapp_channel(standin: StandIn, **kw: Any) -> WhatsAppInput:
    account = Account(
        "whatsapp",
        f.PHONE_NUMBER_ID,
        access_token="wa-token",
        app_secret=WA_APP_SECRET,
        verify_token=WA_VERIFY,
    )
    channel = WhatsAppInput(account, api_url=f"{standin.url}/whatsapp/v21.0", policy=FAST, **kw)
    channel.directory.ttl = 0
    return channel


def telegram_channel(standin: StandIn, **kw: Any) -> TelegramInput:
    account = Account("telegram", f.BOT_ID, bot_token=f.BOT_TOKEN, webhook_secret=TG_SECRET)
    channel = TelegramInput(account, api_url=f"{standin.url}/telegram", policy=FAST, **kw)
    channel.directory.ttl = 0
    return channel


def instagram_channel(standin: StandIn, **kw: Any) -> InstagramInput:
    account = Account(
        "instagram",
        f.IG_ACCOUNT_ID,
        access_token="ig-token",
        app_secret=IG_APP_SECRET,
        verify_token=IG_VERIFY,
    )
    channel = InstagramInput(account, api_url=f"{standin.url}/instagram/v23.0", policy=FAST, **kw)
    channel.directory.ttl = 0
    return channel


def whatsapp_service(standin: StandIn, role: Role = Role.INGEST, **kw: Any) -> ChannelService:
    """The WhatsApp channel without Rasa (as the ingest process runs it)."""
    account = Account("whatsapp", f.PHONE_NUMBER_ID, access_token="wa-token",
                      app_secret=WA_APP_SECRET, verify_token=WA_VERIFY)  # fmt: skip
    service = ChannelService(WhatsAppPlatform(), account, role=role, policy=FAST,
                             api_url=f"{standin.url}/whatsapp/v21.0", **kw)  # fmt: skip
    service.directory.ttl = 0
    return service


Reply = Callable[[UserMessage], list[dict[str, Any]]]


def echo(message: UserMessage) -> list[dict[str, Any]]:
    return [{"text": f"echo: {message.text}"}]


@dataclass
class FakeAgent:
    """Rasa's Agent as far as the channel sees it: answers through the message's output and
    keeps the conversation (user message, bot messages) in a tracker store, as Rasa does."""

    reply: Reply = echo
    delay: float = 0.0
    messages: list[UserMessage] = field(default_factory=list)
    tracker_store: InMemoryTrackerStore = field(
        default_factory=lambda: InMemoryTrackerStore(Domain.empty())
    )

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, message_id=message.message_id))
        for response in self.reply(message):
            assert message.output_channel is not None
            await message.output_channel.send_response(message.sender_id, dict(response))
            tracker.update(BotUttered(response.get("text"), {"buttons": response.get("buttons")}))
        await self.tracker_store.save(tracker)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Harness:
    """A running server with one channel."""

    url: str
    channel: WebhookInput
    agent: FakeAgent
    client: httpx.AsyncClient

    async def post(self, payload: Any, headers: dict[str, str], path: str = "") -> httpx.Response:
        body = payload if isinstance(payload, bytes) else f.body_bytes(payload)
        return await self.client.post(
            self.url + (path or self.channel.url_prefix()), content=body, headers=headers
        )

    async def settle(self) -> None:
        """Wait for background processing to finish."""
        await self.channel.settle()


@asynccontextmanager
async def serve(app: Sanic) -> AsyncIterator[str]:
    """Run a Sanic app on a free port inside the test's event loop, listeners included."""
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    await server.start_serving()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        await server.after_stop()
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def running(channel: WebhookInput, agent: FakeAgent | None = None) -> AsyncIterator[Harness]:
    """The channel mounted by Rasa's `register()` on a fresh Sanic app, served on loopback."""
    agent = agent or FakeAgent()
    # Several apps in one process: Sanic's start-up "touch-up" must reuse the original methods.
    Sanic.test_mode = True
    app = Sanic(f"connectors_test_{uuid.uuid4().hex}")
    app.ctx.agent = agent
    register([channel], app, route="/webhooks/")
    async with serve(app) as url, httpx.AsyncClient(timeout=30) as client:
        yield Harness(url, channel, agent, client)
