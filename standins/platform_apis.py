"""Stand-in Graph API (WhatsApp, Instagram) and Telegram Bot API servers on loopback.

One threaded HTTP server answers under /whatsapp, /instagram and /telegram with the response
shapes the platforms document, records every request, and can be told to fail the next calls
(e.g. a 429 with retry_after) to exercise the retries. Thread-based, so it serves both async
tests and separate Rasa processes.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    """One request the stand-in received."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    response: Any = None
    #: Wall-clock arrival time (time.time()), for latency measurements across processes.
    at: float = field(default_factory=time.time)

    @property
    def api_method(self) -> str:
        """Telegram method name or the last path segment."""
        return self.path.rstrip("/").rsplit("/", 1)[-1].split("?")[0]


@dataclass
class Scripted:
    """A canned answer for the next request whose path contains `match`."""

    match: str
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class StandIn:
    """The server; use as a context manager or call start()/stop()."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: list[Scripted] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._connections: set[socket.socket] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:PORT."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and drop the kept-alive connections: a stopped platform answers
        nothing more."""
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(
        self,
        match: str,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests whose path contains `match` with this response."""
        with self._lock:
            self._script += [Scripted(match, status, body, headers or {}) for _ in range(times)]

    def sent(self, prefix: str = "", api_method: str | None = None) -> list[Recorded]:
        """Recorded requests under `prefix` (e.g. "/telegram"), optionally of one method."""
        with self._lock:
            found = [r for r in self.requests if r.path.startswith(prefix)]
        if api_method is not None:
            found = [r for r in found if r.api_method == api_method]
        return found

    def messages(self, prefix: str) -> list[Recorded]:
        """Requests that deliver a message (not read receipts, typing or callback answers)."""
        return [r for r in self.sent(prefix) if is_message(r)]

    def wait_for(self, predicate: Any, timeout: float = 30.0) -> None:
        """Block until predicate(self) is true."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return
            time.sleep(0.05)
        raise TimeoutError(f"stand-in condition not met; requests: {self.requests}")

    # --- answering ---------------------------------------------------------------------------

    def _scripted(self, path: str) -> Scripted | None:
        with self._lock:
            for i, item in enumerate(self._script):
                if item.match in path:
                    return self._script.pop(i)
        return None

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        """The documented success response for this API call."""
        scripted = self._scripted(path)
        if scripted is not None:
            return scripted.status, scripted.body, scripted.headers
        n = next(self._ids)
        if path.startswith("/telegram/"):
            return 200, telegram_answer(path, body, n), {}
        if path.startswith("/whatsapp/"):
            if isinstance(body, dict) and body.get("status") == "read":
                return 200, {"success": True}, {}
            to = body.get("to") if isinstance(body, dict) else None
            return (
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": to, "wa_id": to}],
                    "messages": [{"id": f"wamid.OUT{n:06d}"}],
                },
                {},
            )
        if path.startswith("/instagram/"):
            recipient = (body or {}).get("recipient", {}).get("id")
            if isinstance(body, dict) and "sender_action" in body:
                return 200, {"recipient_id": recipient}, {}
            return 200, {"recipient_id": recipient, "message_id": f"mid.OUT{n:06d}"}, {}
        return 404, {"error": {"message": "unknown path", "code": 100}}, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as the platforms' APIs do (HTTP/1.0 would close every connection
            # and make each client request pay for a new one).
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with standin._lock:
                    standin._connections.add(self.connection)

            def finish(self) -> None:
                with standin._lock:
                    standin._connections.discard(self.connection)
                super().finish()

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                status, answer, headers = standin.answer(self.command, self.path, body)
                with standin._lock:
                    standin.requests.append(
                        Recorded(self.command, self.path, dict(self.headers.items()), body, answer)
                    )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle  # noqa: N815
            do_POST = _handle  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


_TG_PATH = re.compile(r"^/telegram/bot(?P<token>[^/]+)/(?P<method>\w+)")


def telegram_answer(path: str, body: Any, n: int) -> dict[str, Any]:
    """Bot API result shapes: {"ok": true, "result": ...}."""
    match = _TG_PATH.match(path)
    method = match.group("method") if match else ""
    body = body if isinstance(body, dict) else {}
    chat = {"id": body.get("chat_id"), "type": "private"}
    if method in ("sendMessage", "sendPhoto"):
        message: dict[str, Any] = {"message_id": 1000 + n, "chat": chat, "date": int(time.time())}
        if "text" in body:
            message["text"] = body["text"]
        if "reply_markup" in body:
            message["reply_markup"] = body["reply_markup"]
        return {"ok": True, "result": message}
    if method == "editMessageReplyMarkup":
        return {
            "ok": True,
            "result": {
                "message_id": body.get("message_id"),
                "chat": chat,
                "date": int(time.time()),
            },
        }
    if method == "setWebhook":
        return {"ok": True, "result": True, "description": "Webhook was set"}
    if method == "getWebhookInfo":
        return {
            "ok": True,
            "result": {"url": "", "has_custom_certificate": False, "pending_update_count": 0},
        }
    return {"ok": True, "result": True}


def is_message(request: Recorded) -> bool:
    """Whether a recorded request sends a message to the user."""
    body = request.json if isinstance(request.json, dict) else {}
    if request.path.startswith("/telegram/"):
        return request.api_method in ("sendMessage", "sendPhoto")
    if request.path.startswith("/whatsapp/"):
        return body.get("status") != "read"
    if request.path.startswith("/instagram/"):
        return "sender_action" not in body
    return False


def text_of(request: Recorded) -> str:
    """The visible text of a message request on any platform."""
    body = request.json if isinstance(request.json, dict) else {}
    if request.path.startswith("/telegram/"):
        return str(body.get("text", ""))
    if request.path.startswith("/whatsapp/"):
        if body.get("type") == "text":
            return str(body["text"]["body"])
        if body.get("type") == "interactive":
            return str(body["interactive"]["body"]["text"])
        return ""
    message = body.get("message", {})
    return str(message.get("text", ""))


def buttons_of(request: Recorded) -> list[tuple[str, str]]:
    """(title, id/payload) of the buttons a message request carries."""
    body = request.json if isinstance(request.json, dict) else {}
    if request.path.startswith("/telegram/"):
        rows = body.get("reply_markup", {}).get("inline_keyboard", [])
        return [(k["text"], k["callback_data"]) for row in rows for k in row]
    if request.path.startswith("/whatsapp/"):
        interactive = body.get("interactive") or {}
        action = interactive.get("action", {})
        if interactive.get("type") == "button":
            return [(b["reply"]["title"], b["reply"]["id"]) for b in action.get("buttons", [])]
        if interactive.get("type") == "list":
            return [(r["title"], r["id"]) for s in action.get("sections", []) for r in s["rows"]]
        return []
    replies = body.get("message", {}).get("quick_replies", [])
    return [(q["title"], q["payload"]) for q in replies]
