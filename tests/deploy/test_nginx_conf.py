"""deploy/nginx.conf, docker-compose's one public door, run by a real nginx in front of stand-ins
for the ingest process, Rasa and the admin API: only the webhook paths, the REST channel and the
admin API get through; Rasa's own API never does. Skipped where nginx is not installed (the
configuration is for the nginx image; docker cannot run here)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed here")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Backend:
    """A stand-in service that answers 200 with its name and records the paths it saw."""

    def __init__(self, name: str) -> None:
        self.name, self.paths = name, []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                backend.paths.append(self.path)
                body = backend.name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Door:
    url: str
    backends: dict[str, Backend]
    access_log: Path


@pytest.fixture(scope="module")
def door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Door]:
    """nginx with the project's configuration, its upstreams pointed at local stand-ins."""
    work = tmp_path_factory.mktemp("nginx")
    backends = {name: Backend(name) for name in ("ingest", "rasa", "api")}
    port = _free_port()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = conf.replace("resolver 127.0.0.11 valid=10s;", "")
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{port};")
    for name, upstream in (("ingest", "http://ingest:5050"), ("rasa", "http://rasa:5005"),
                           ("api", "http://api:8000")):  # fmt: skip
        assert upstream in conf
        conf = conf.replace(upstream, backends[name].url)
    conf = conf.replace("access_log /dev/stdout door;", f"access_log {work}/access.log door;")
    (work / "nginx.conf").write_text(conf)
    globals_ = f"daemon off; pid {work}/nginx.pid; error_log {work}/error.log;"
    temp = "".join(f"{kind}_temp_path {work}/{kind};"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))  # fmt: skip
    conf = conf.replace("http {", "http {\n" + temp, 1)
    (work / "nginx.conf").write_text(conf)
    proc = subprocess.Popen([str(NGINX), "-c", str(work / "nginx.conf"), "-g", globals_],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            break
        except requests.RequestException:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.1)
    yield Door(url, backends, work / "access.log")
    proc.terminate()
    proc.wait(timeout=10)
    for backend in backends.values():
        backend.close()


@pytest.mark.parametrize(
    ("method", "path", "backend"),
    [
        ("POST", "/whatsapp_webhook", "ingest"),
        ("GET", "/whatsapp_webhook?hub.mode=subscribe", "ingest"),
        ("POST", "/telegram_webhook", "ingest"),
        ("POST", "/instagram_webhook", "ingest"),
        ("POST", "/webhooks/rest/webhook", "rasa"),
        ("GET", "/api/v1/tenant", "api"),
        ("GET", "/health", "api"),
    ],
)
def test_the_routed_paths_reach_their_process(
    door: Door, method: str, path: str, backend: str
) -> None:
    answer = requests.request(method, door.url + path, data=b"{}", timeout=5)
    assert (answer.status_code, answer.text) == (200, backend)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/conversations/default:whatsapp:447700900001/tracker"),
        ("PUT", "/conversations/x/tracker/events"),
        ("PUT", "/model"),
        ("DELETE", "/model"),
        ("GET", "/status"),
        ("POST", "/model/parse"),
        ("GET", "/"),
        ("POST", "/webhooks/rest/webhook/../../model"),
        ("GET", "/webhooks/rest/"),
        ("POST", "/webhooks/callback/webhook"),
    ],
)
def test_rasas_own_api_is_never_reachable(door: Door, method: str, path: str) -> None:
    before = {name: len(b.paths) for name, b in door.backends.items()}
    answer = requests.request(method, door.url + path, timeout=5)
    assert answer.status_code in (400, 404), (path, answer.status_code, answer.text)
    assert {name: len(b.paths) for name, b in door.backends.items()} == before


def test_bodies_over_3_mb_stop_at_the_door(door: Door) -> None:
    seen = len(door.backends["ingest"].paths)
    body = b"x" * (3 * 1024 * 1024 + 1)
    assert requests.post(door.url + "/whatsapp_webhook", data=body, timeout=10).status_code == 413
    assert len(door.backends["ingest"].paths) == seen


def test_query_strings_are_not_logged(door: Door) -> None:
    requests.get(door.url + "/api/v1/calendar/google/callback?code=SECRETCODE&state=S", timeout=5)
    time.sleep(0.2)
    log = door.access_log.read_text()
    assert "/api/v1/calendar/google/callback" in log and "SECRETCODE" not in log
