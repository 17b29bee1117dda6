"""Property-based fuzzing of every webhook endpoint, over real HTTP: whatever arrives, the answer
is never a 5xx, and a request that fails authentication never leaves a row in the database.

Bodies are arbitrary bytes, arbitrary JSON and documented payloads with one value replaced;
headers carry a valid signature (or secret), a wrong one, a malformed one or none.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking_core.db.models import Contact, Message
from connectors.instagram.parse import instagram_account_ids
from connectors.webhook import WebhookInput
from connectors.whatsapp.parse import whatsapp_account_ids
from standins import webhooks as f
from tests.connectors.conftest import (
    IG_APP_SECRET,
    TG_SECRET,
    WA_APP_SECRET,
    WA_VERIFY,
    instagram_channel,
    running,
    telegram_channel,
    whatsapp_channel,
)
from tests.connectors.fuzz import mutations, raw_bodies
from tests.connectors.helpers import count

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@contextmanager
def served(channel: WebhookInput) -> Iterator[str]:
    """The channel on a real server in its own thread and event loop (store and acknowledge
    only: handling is not what is fuzzed here)."""
    channel.consume = False
    channel.send_replies = False
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    context = running(channel)
    harness = asyncio.run_coroutine_threadsafe(context.__aenter__(), loop).result(30)
    try:
        yield harness.url
    finally:
        asyncio.run_coroutine_threadsafe(context.__aexit__(None, None, None), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def rows(url: str) -> tuple[int, int]:
    return count(url, Message), count(url, Contact)


def meta_signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


#: What can travel in an HTTP header: visible ASCII.
header_text = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=80)
BAD_META_SIGNATURES = st.one_of(
    st.none(),
    st.just("sha256="),
    st.just("sha1=abcdef"),
    header_text,
    st.binary(min_size=32, max_size=32).map(lambda b: "sha256=" + b.hex()),
)


def meta_bodies(document: dict[str, Any]) -> st.SearchStrategy[bytes]:
    return st.one_of(raw_bodies, mutations(document))


def names_account(body: bytes, account_ids: Callable[[dict], frozenset[str]], ident: str) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and ident in account_ids(data)


def check_meta_endpoint(url: str, database: str, path: str, secret: str, body: bytes,
                        bad: str | None, signed: bool, named: bool) -> None:  # fmt: skip
    """`named`: the body names the configured account."""
    headers = {"Content-Type": "application/json"}
    if signed:
        headers["X-Hub-Signature-256"] = meta_signature(body, secret)
    elif bad is not None:
        headers["X-Hub-Signature-256"] = bad
    before = rows(database)
    status = httpx.post(url + path, content=body, headers=headers, timeout=30).status_code
    assert status < 500
    if signed:
        assert status in (200, 400)
    else:
        # 401 without a signature; 400 (before any secret) when the body is not JSON; 200 when
        # it names no configured account (no secret to check it with, nothing to store); else 403.
        assert status in ((401,) if not bad else (400, 403) if named else (200, 400, 403))
        assert rows(database) == before  # nothing stored for an unauthenticated request


def test_whatsapp_endpoint_fuzzed(sqlite_settings, standin) -> None:
    document = f.wa_webhook(
        f.wa_value(contacts=[f.wa_contact("447700900001")],
                   messages=[f.wa_message("447700900001", "text", text={"body": "hi"})])
    )  # fmt: skip
    with served(whatsapp_channel(standin)) as url:

        @FUZZ
        @given(body=meta_bodies(document), bad=BAD_META_SIGNATURES, signed=st.booleans())
        def fuzz(body: bytes, bad: str | None, signed: bool) -> None:
            named = names_account(body, whatsapp_account_ids, f.PHONE_NUMBER_ID)
            check_meta_endpoint(url, sqlite_settings, "/whatsapp_webhook", WA_APP_SECRET, body,
                                bad, signed, named)  # fmt: skip

        fuzz()


def test_instagram_endpoint_fuzzed(sqlite_settings, standin) -> None:
    document = f.ig_webhook(f.ig_text("17841400000000001", "hi"))
    with served(instagram_channel(standin)) as url:

        @FUZZ
        @given(body=meta_bodies(document), bad=BAD_META_SIGNATURES, signed=st.booleans())
        def fuzz(body: bytes, bad: str | None, signed: bool) -> None:
            named = names_account(body, instagram_account_ids, f.IG_ACCOUNT_ID)
            check_meta_endpoint(url, sqlite_settings, "/instagram_webhook", IG_APP_SECRET, body,
                                bad, signed, named)  # fmt: skip

        fuzz()


def test_telegram_endpoint_fuzzed(sqlite_settings, standin) -> None:
    document = f.tg_text(42, "hi")
    with served(telegram_channel(standin)) as url:

        @FUZZ
        @given(
            body=st.one_of(raw_bodies, mutations(document)),
            secret=st.one_of(st.none(), st.just(TG_SECRET), header_text),
        )
        def fuzz(body: bytes, secret: str | None) -> None:
            headers = {"Content-Type": "application/json"}
            if secret is not None:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            before = rows(sqlite_settings)
            response = httpx.post(url + "/telegram_webhook", content=body, headers=headers,
                                  timeout=30)  # fmt: skip
            assert response.status_code < 500
            if secret == TG_SECRET:
                assert response.status_code in (200, 400)
            else:
                assert response.status_code in (401, 403)
                assert rows(sqlite_settings) == before

        fuzz()


def test_verification_endpoints_fuzzed(sqlite_settings, standin) -> None:
    with served(whatsapp_channel(standin)) as url:

        @FUZZ
        @given(
            params=st.dictionaries(
                st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "x"]),
                st.one_of(st.text(max_size=30), st.just(WA_VERIFY), st.just("subscribe")),
            )
        )
        def fuzz(params: dict[str, str]) -> None:
            response = httpx.get(url + "/whatsapp_webhook", params=params, timeout=30)
            assert response.status_code in (200, 403)
            if response.status_code == 200:
                assert params.get("hub.verify_token") == WA_VERIFY
                assert response.text == params.get("hub.challenge", "")

        fuzz()
