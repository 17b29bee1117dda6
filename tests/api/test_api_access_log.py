"""The access log never holds a feed token, an `.ics` event id or an OAuth code/state: the pure
redaction, the filter on a record shaped as uvicorn's, and the real `python -m api` server on a
loopback port with uvicorn's own access formatter.

The server test does not let uvicorn apply its logging dictConfig: in a test process that
closes every existing handler, pytest's capture among them (with Rasa and TensorFlow imported
the whole run then died). The records still take uvicorn's own path: its protocol logs every
response on "uvicorn.access", where the app installed the filter."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import uvicorn

from api.__main__ import server_options
from api.core.access_log import (
    ACCESS_LOGGER,
    AccessLogRedactor,
    install_access_log_redaction,
    redact_target,
)
from api.main import create_app
from tests.api.conftest import TenantData
from tests.api.standin import StandIn

R = "<redacted>"


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/api/v1/feeds/AbC_-123456789012345678901234.ics", f"/api/v1/feeds/{R}.ics"),
        ("/api/v1/feeds/AbC_-1234567890123456789", f"/api/v1/feeds/{R}"),
        ("/api/v1/feeds/tok.ics?x=1", f"/api/v1/feeds/{R}.ics?x=1"),
        ("/API/V1/FEEDS/tok.ics", f"/API/V1/FEEDS/{R}.ics"),
        ("/api/v1/events/0123456789abcdefghijklmnop.ics", f"/api/v1/events/{R}.ics"),
        ("/api/v1/events/0123456789abcdefghijklmnop", f"/api/v1/events/{R}"),
        ("/api/v1/events/42", "/api/v1/events/42"),
        ("/api/v1/events?status=confirmed&limit=5", "/api/v1/events?status=confirmed&limit=5"),
        (
            "/api/v1/calendar/google/callback?state=abc.def&code=4%2F0secret&scope=x",
            f"/api/v1/calendar/google/callback?state={R}&code={R}&scope=x",
        ),
        ("/cb?error=access_denied&STATE=s", f"/cb?error=access_denied&STATE={R}"),
        ("/cb?st%61te=s&token=t&a", f"/cb?st%61te={R}&token={R}&a"),
        ("/api/v1/messages?q=haircut&cursor=abc", "/api/v1/messages?q=haircut&cursor=abc"),
        ("/health", "/health"),
    ],
)
def test_redact_target(target: str, expected: str) -> None:
    assert redact_target(target) == expected


def test_filter_rewrites_a_uvicorn_record_and_keeps_it() -> None:
    # The call uvicorn.protocols.http.h11_impl / httptools_impl make for every response.
    record = logging.LogRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/feeds/secret-feed-token.ics", "1.1", 200),
        None,
    )
    assert AccessLogRedactor().filter(record) is True
    assert record.getMessage() == f'127.0.0.1:5000 - "GET /api/v1/feeds/{R}.ics HTTP/1.1" 200'


def test_install_is_idempotent() -> None:
    install_access_log_redaction()
    install_access_log_redaction()
    filters = logging.getLogger(ACCESS_LOGGER).filters
    assert sum(isinstance(f, AccessLogRedactor) for f in filters) == 1


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    """uvicorn's access logger writing through uvicorn's AccessFormatter (its default format)
    to a buffer; the logger's previous set-up is restored afterwards."""
    from uvicorn.config import LOGGING_CONFIG
    from uvicorn.logging import AccessFormatter

    log = logging.getLogger(ACCESS_LOGGER)
    saved = (list(log.handlers), log.level, log.propagate)
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(AccessFormatter(LOGGING_CONFIG["formatters"]["access"]["fmt"],
                                         use_colors=False))  # fmt: skip
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    yield buffer
    log.handlers[:], log.propagate = saved[0], saved[2]
    log.setLevel(saved[1])


@pytest.fixture
def google_env(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_ID", "client-id")
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_SECRET", "client-secret-value")
    monkeypatch.setenv("GOOGLE_OAUTH_REDIRECT_URI", "https://admin.example/cb")
    monkeypatch.setenv("GOOGLE_OAUTH_TOKEN_URI", f"{standin.url}/token")
    standin.on("POST", "/token", (400, {"error": "invalid_grant"}))
    return standin


def test_real_server_access_log_holds_no_secret(
    db_settings: str,
    tenant_a: TenantData,
    google_env: StandIn,
    access_log: io.StringIO,
) -> None:
    config = uvicorn.Config(**server_options(host="127.0.0.1", port=0), log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}/api/v1"
        feed = requests.get(f"{base}/feeds/{tenant_a.feed_token}.ics", timeout=10)
        ics = requests.get(f"{base}/events/{tenant_a.event_uid}.ics", timeout=10)
        start = requests.post(
            f"{base}/calendar/google/connect", headers=tenant_a.headers, timeout=10
        )
        state = parse_qs(urlsplit(start.json()["authorization_url"]).query)["state"][0]
        code = "4/0AeaYSH-authorization-code-secret"
        callback = requests.get(
            f"{base}/calendar/google/callback", params={"state": state, "code": code}, timeout=10
        )
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert (feed.status_code, ics.status_code, callback.status_code) == (200, 200, 400)
    log = access_log.getvalue()
    assert f'"GET /api/v1/feeds/{R}.ics HTTP/1.1" 200' in log
    assert f'"GET /api/v1/events/{R}.ics HTTP/1.1" 200' in log
    assert f"/api/v1/calendar/google/callback?state={R}&code={R}" in log
    for secret in (tenant_a.feed_token, tenant_a.event_uid, state, code, "4%2F0AeaYSH"):
        assert secret not in log


def test_create_app_installs_the_filter_and_docs_still_work() -> None:
    from fastapi.testclient import TestClient

    access = logging.getLogger(ACCESS_LOGGER)
    for existing in [f for f in access.filters if isinstance(f, AccessLogRedactor)]:
        access.removeFilter(existing)
    with TestClient(create_app(database_url="sqlite://")) as client:
        assert client.get("/docs").status_code == 200
        assert "/api/v1/feeds/{feed_token}.ics" in client.get("/openapi.json").json()["paths"]
    assert sum(isinstance(f, AccessLogRedactor) for f in access.filters) == 1
