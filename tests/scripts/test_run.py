"""scripts/run.sh (what `make run` starts) and the Makefile's environment: a second instance on
other ports talks to its own action server, every port is on loopback, the tokens and the
telemetry setting reach the processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.integration import servers
from tests.integration.test_doors import listening_addresses

ROOT = Path(__file__).resolve().parents[2]


def make_value(name: str, env: dict[str, str]) -> str:
    """What the Makefile exports as `name` to its recipes, in environment `env`."""
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-", "show"],
        input=f"show:\n\t@printf '%s' \"$${name}\"\n",
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout


MAKE_SET = ("RASA_TELEMETRY_ENABLED", "RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN")


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in MAKE_SET}
    return {**env, **overrides}


def test_make_turns_rasa_telemetry_off_unless_asked() -> None:
    assert make_value("RASA_TELEMETRY_ENABLED", _env()) == "false"
    assert make_value("RASA_TELEMETRY_ENABLED", _env(RASA_TELEMETRY_ENABLED="true")) == "true"


def test_make_passes_tokens_from_the_environment_else_the_generated_ones() -> None:
    assert make_value("RASA_AUTH_TOKEN", _env(RASA_AUTH_TOKEN="mine")) == "mine"
    generated = make_value("ACTION_SERVER_TOKEN", _env())
    assert len(generated) >= 40
    assert make_value("ACTION_SERVER_TOKEN", _env()) == generated  # kept, not made anew
    secret = ROOT / "var" / "secrets" / "action_server_token"
    assert secret.read_text() == generated and secret.stat().st_mode & 0o077 == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def decoy_action_server() -> Iterator[list[str]]:
    """Something on the default action port (5055), as another instance's action server would
    be: it records what reaches it."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    try:
        server = ThreadingHTTPServer(("127.0.0.1", 5055), Handler)
    except OSError:
        pytest.skip("port 5055 is taken here; the decoy cannot stand in for another instance")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield hits
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_a_second_instance_uses_its_own_ports_on_loopback(
    tmp_path: Path, decoy_action_server: list[str]
) -> None:
    servers.require_model()
    rasa_port, actions_port, api_port = _free_port(), _free_port(), _free_port()
    env = _env(
        RASA_PORT=str(rasa_port), ACTIONS_PORT=str(actions_port), API_PORT=str(api_port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'booking.db'}", PYTHONPATH=str(ROOT),
        **servers.TOKENS,
    )  # fmt: skip
    for name in ("TRACKER_STORE_URL", "REDIS_URL", "REST_CHANNEL_TOKEN", "RASA_URL"):
        env.pop(name, None)
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "booking_core.db.migrate"],
                   cwd=ROOT, env=env, check=True, capture_output=True)  # fmt: skip
    proc = subprocess.Popen(["scripts/run.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{rasa_port}"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(servers.status_url(base), timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(1)
        turn = {"sender": "second", "message": "book a haircut next tuesday at 2pm for 30 minutes"}
        reply = requests.post(f"{base}/webhooks/rest/webhook", json=turn, timeout=60)
        assert "Shall I book it?" in reply.text, reply.text  # the form's actions answered
        assert decoy_action_server == []
        for port in (rasa_port, actions_port, api_port):
            assert listening_addresses(port) == {"0100007F"}, port
        assert requests.get(f"{base}/conversations/second/tracker", timeout=5).status_code == 401
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
