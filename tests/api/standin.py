"""A stand-in HTTP server on 127.0.0.1 (http.server in a thread) for the Google token endpoint,
the Telegram Bot API, the Graph API and the Rasa server: it records every request and answers
from a table. `Platforms` makes it answer account reads (WhatsApp GET /<phone_number_id>,
Instagram GET /me, Telegram getMe) for the tokens it knows, in the platforms' shapes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: Under the stand-in's URL: WHATSAPP_API_URL, INSTAGRAM_API_URL (TELEGRAM_API_URL is the root).
WHATSAPP_PREFIX = "/graph/v21.0"
INSTAGRAM_PREFIX = "/instagram/v23.0"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


Reply = tuple[int, Any]
Handler = Callable[[Recorded], Reply]


@dataclass
class StandIn:
    url: str
    routes: dict[tuple[str, str], Handler | Reply] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    def on(self, method: str, path: str, reply: Handler | Reply) -> None:
        """Answer `method path` (a trailing * matches any rest of the path)."""
        self.routes[(method, path)] = reply

    def answer(self, request: Recorded) -> Reply:
        self.requests.append(request)
        reply = self.routes.get((request.method, request.path))
        if reply is None:
            reply = next(
                (
                    r
                    for (m, p), r in self.routes.items()
                    if m == request.method and p.endswith("*") and request.path.startswith(p[:-1])
                ),
                None,
            )
        if reply is None:
            return 404, {"error": "not found"}
        return reply(request) if callable(reply) else reply


def _graph_error(status: int, message: str, code: int, kind: str = "OAuthException") -> Reply:
    return status, {"error": {"message": message, "type": kind, "code": code,
                              "fbtrace_id": "AbCdEfStandIn"}}  # fmt: skip


@dataclass
class Platforms:
    """Which token reads which account on the stand-in Graph and Bot APIs; anything else gets
    the platform's error."""

    #: WhatsApp phone_number_id -> the access token that may use it.
    whatsapp: dict[str, str] = field(default_factory=dict)
    #: Instagram access token -> the account id /me answers.
    instagram: dict[str, str] = field(default_factory=dict)
    #: Telegram bot token -> the bot id getMe answers.
    telegram: dict[str, int] = field(default_factory=dict)

    def accept(self, body: dict[str, Any]) -> dict[str, Any]:
        """Make the token of a registration body read its account; returns the body."""
        if body["channel"] == "whatsapp":
            self.whatsapp[body["phone_number_id"]] = body["access_token"]
        elif body["channel"] == "instagram":
            self.instagram[body["access_token"]] = body["account_id"]
        else:
            self.telegram[body["bot_token"]] = int(body["bot_token"].split(":", 1)[0])
        return body

    def serve(self, standin: StandIn) -> None:
        """Answer the account reads on `standin`."""
        standin.on("GET", f"{WHATSAPP_PREFIX}/*", self._whatsapp)
        standin.on("GET", f"{INSTAGRAM_PREFIX}/me", self._instagram)
        standin.on("GET", "/bot*", self._telegram)

    def _whatsapp(self, request: Recorded) -> Reply:
        phone_number_id = request.path.rsplit("/", 1)[-1]
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.whatsapp.values():
            return _graph_error(401, "Invalid OAuth access token - Cannot parse access token", 190)
        if self.whatsapp.get(phone_number_id) != token:
            return _graph_error(
                400,
                f"Unsupported get request. Object with ID '{phone_number_id}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation.",
                100,
                "GraphMethodException",
            )
        return 200, {
            "verified_name": "Stand-in Salon",
            "display_phone_number": "+1 555-010-0000",
            "id": phone_number_id,
            "quality_rating": "GREEN",
        }

    def _instagram(self, request: Recorded) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.instagram:
            return _graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        return 200, {"user_id": self.instagram[token], "username": "standin.salon", "id": "901"}

    def _telegram(self, request: Recorded) -> Reply:
        token, _, method = request.path.removeprefix("/bot").partition("/")
        if method != "getMe":
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if token not in self.telegram:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return 200, {
            "ok": True,
            "result": {"id": self.telegram[token], "is_bot": True, "first_name": "Stand-in",
                       "username": "standin_bot", "can_join_groups": True},
        }  # fmt: skip


@contextmanager
def standin_server() -> Iterator[StandIn]:
    """Serve a StandIn on a free loopback port for the duration of the block."""
    holder: dict[str, StandIn] = {}

    class _Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            recorded = Recorded(
                method=self.command,
                path=split.path,
                query=parse_qs(split.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            status, body = holder["standin"].answer(recorded)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    holder["standin"] = StandIn(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["standin"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
