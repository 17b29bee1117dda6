"""A stand-in HTTP server on 127.0.0.1 (http.server in a thread) for the Google token endpoint,
the Telegram Bot API and the Rasa server: it records every request and answers from a table."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


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
