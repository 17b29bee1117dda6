"""The Duckling client against a stand-in Duckling server on loopback."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from nlu.duckling import DucklingClient, convert, duckling_tz, minus_grain
from tests.nlu.helpers import BOOK_REF

TEXT = "tomorrow at 3pm from 3 to 4:30pm for 45 minutes"


def _answer(text: str) -> list[dict]:
    """Duckling's documented shapes for the test phrase."""
    return [
        {"body": "tomorrow at 3pm", "start": 0, "end": 15, "dim": "time", "latent": False,
         "value": {"type": "value", "value": "2026-12-01T15:00:00.000+00:00", "grain": "hour",
                   "values": []}},
        {"body": "from 3 to 4:30pm", "start": 16, "end": 32, "dim": "time", "latent": False,
         "value": {"type": "interval",
                   "from": {"value": "2026-11-30T15:00:00.000+00:00", "grain": "minute"},
                   "to": {"value": "2026-11-30T16:31:00.000+00:00", "grain": "minute"},
                   "values": []}},
        {"body": "45 minutes", "start": 37, "end": 47, "dim": "duration", "latent": False,
         "value": {"value": 45, "minute": 45, "type": "value", "unit": "minute",
                   "normalized": {"value": 2700, "unit": "second"}}},
        {"body": "45", "start": 37, "end": 39, "dim": "number", "latent": False,
         "value": {"value": 45, "type": "value"}},
    ]  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    mode = "ok"
    seen: list[dict] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        type(self).seen.append(form)
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        body = json.dumps(_answer(form["text"])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.mode = "ok"
    _Handler.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_duckling_shapes_become_contract_entities(server):
    ents = DucklingClient(server, timeout=2).parse(TEXT, BOOK_REF, "Europe/London")
    assert [e["entity"] for e in ents] == ["time", "time", "duration"]
    value, rng, dur = ents
    assert value["value"] == "2026-12-01T15:00:00.000+00:00"
    assert value["additional_info"]["grain"] == "hour"
    assert rng["additional_info"]["end"] == "2026-11-30T16:30:00.000+00:00"
    assert rng["value"] == rng["additional_info"]["from"]
    assert dur["value"] == 2700 and dur["additional_info"]["unit"] == "minute"
    assert all(TEXT[e["start"] : e["end"]] == e["text"] for e in ents)
    form = _Handler.seen[0]
    assert form["tz"] == "Europe/London" and json.loads(form["dims"]) == ["time", "duration"]
    assert int(form["reftime"]) == int(BOOK_REF.timestamp() * 1000)


def test_timeout_falls_back_and_logs_once(server, caplog):
    _Handler.mode = "slow"
    client = DucklingClient(server, timeout=0.2)
    with caplog.at_level(logging.WARNING, logger="nlu.duckling"):
        first = client.parse("tomorrow at 3pm", BOOK_REF, "Europe/London")
        second = client.parse("at noon", BOOK_REF, "Europe/London")
    assert first[0]["value"] == "2026-12-01T15:00:00.000+00:00"
    assert second[0]["value"] == "2026-11-30T12:00:00.000+00:00"
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_hung_duckling_costs_one_timeout_then_is_skipped(server):
    _Handler.mode = "slow"
    client = DucklingClient(server, timeout=0.2, retry_after=60)
    client.parse("tomorrow at 3pm", BOOK_REF, "Europe/London")
    started = time.perf_counter()
    ents = client.parse("at noon", BOOK_REF, "Europe/London")
    assert time.perf_counter() - started < 0.1  # the embedded parser, no second timeout
    assert ents[0]["value"] == "2026-11-30T12:00:00.000+00:00"
    assert len(_Handler.seen) == 1


def test_duckling_is_asked_again_after_the_skip_window(server):
    _Handler.mode = "error"
    client = DucklingClient(server, retry_after=0.05)
    client.parse("for 2 hours", BOOK_REF, "Europe/London")
    time.sleep(0.1)
    _Handler.mode = "ok"
    ents = client.parse(TEXT, BOOK_REF, "Europe/London")
    assert len(_Handler.seen) == 2 and len(ents) == 3


def test_server_error_falls_back(server):
    _Handler.mode = "error"
    ents = DucklingClient(server).parse("for 2 hours", BOOK_REF, "Europe/London")
    assert ents[0]["entity"] == "duration" and ents[0]["value"] == 7200


def test_connection_refused_falls_back():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ents = DucklingClient(f"http://127.0.0.1:{port}", timeout=0.5).parse(
        "tomorrow", BOOK_REF, "Europe/London"
    )
    assert ents[0]["additional_info"]["grain"] == "day"


def test_helpers():
    assert minus_grain("2026-11-30T16:31:00.000+00:00", "minute") == (
        "2026-11-30T16:30:00.000+00:00"
    )
    assert minus_grain("2026-03-01T00:00:00.000-02:00", "month").startswith("2026-02-01")
    assert duckling_tz("-02:00") == "Etc/GMT+2"
    assert duckling_tz("+05:30") is None
    assert duckling_tz("Europe/London") == "Europe/London"


def test_open_interval_and_unknown_dims():
    matches = [{"start": 0, "end": 8, "dim": "time",
                "value": {"type": "interval", "to": {"value": "2026-12-01T14:00:00.000+00:00",
                                                     "grain": "hour"}}},
               {"start": 0, "end": 3, "dim": "email", "value": {"value": "x"}}]  # fmt: skip
    (ent,) = convert(matches, "by 2pm..", ("time", "duration"))
    assert ent["additional_info"]["from"] is None
    assert ent["additional_info"]["end"] == "2026-12-01T13:00:00.000+00:00"
