"""Starting the real processes for end-to-end tests: action server and Rasa servers.

Shared by the REST, channel and fault tests so that they start, wait for and stop the
processes the same way (free loopback ports, logs in the test's work directory).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "booking.tar.gz"
RASA = str(Path(sys.executable).with_name("rasa"))
#: This test session's shared secrets of the processes it starts (Rasa's HTTP API token, the
#: action server's token, the REST channel's token where a configuration turns it on).
TOKENS = {
    "RASA_AUTH_TOKEN": secrets.token_urlsafe(24),
    "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
}
REST_TOKEN = secrets.token_urlsafe(24)


def status_url(base: str) -> str:
    """Rasa's /status, which answers only with the API token."""
    return f"{base}/status?token={TOKENS['RASA_AUTH_TOKEN']}"


def require_model() -> None:
    """Skip without a trained model; under CI a missing model is a failure."""
    if MODEL.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("models/booking.tar.gz is missing: `make train` must run first")
    pytest.skip("no trained model (run `make train`)")


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    """Block until `url` answers 2xx; fail with the log's tail if the process dies or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} process exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} not up after {timeout} s:\n{log.read_text()[-3000:]}")


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """One process in the project directory, output to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Terminate, then kill what does not exit within 20 s."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def endpoints_file(work: Path, actions_port: int) -> Path:
    """The project's endpoints.yml with the action server on `actions_port`."""
    path = work / "endpoints.yml"
    path.write_text(
        (ROOT / "endpoints.yml")
        .read_text()
        .replace("http://localhost:5055/webhook", f"http://127.0.0.1:{actions_port}/webhook")
    )
    return path


def actions_cmd(port: int) -> list[str]:
    """`rasa run actions` on `port`."""
    return [RASA, "run", "actions", "--port", str(port)]


def ingest_cmd(port: int, credentials: Path) -> list[str]:
    """`python -m connectors.ingest` (webhooks + reply sender, no Rasa) on `port`."""
    return [sys.executable, "-m", "connectors.ingest", "--host", "127.0.0.1", "--port", str(port),
            "--credentials", str(credentials)]  # fmt: skip


def rasa_cmd(port: int, endpoints: Path, credentials: Path) -> list[str]:
    """`rasa run` with the trained model and the HTTP API (behind the session's token) on
    loopback `port`, as `make run` starts it."""
    return [RASA, "run", "--model", str(MODEL), "--enable-api", "--auth-token",
            TOKENS["RASA_AUTH_TOKEN"], "--interface", "127.0.0.1", "--port", str(port),
            "--endpoints", str(endpoints), "--credentials", str(credentials)]  # fmt: skip


def credentials_file(work: Path, env: dict[str, str], *, production: bool = False) -> Path:
    """The credentials `make run` (or, with `production`, `make run-prod`) would start Rasa
    with in `env`: scripts/enabled_credentials.py over the project's credentials.yml."""
    path = work / "credentials.yml"
    subprocess.run([sys.executable, "scripts/enabled_credentials.py", "--out", str(path),
                    *(["--production"] if production else [])],
                   cwd=ROOT, env=env, check=True)  # fmt: skip
    return path


def start_assistant(
    env: dict[str, str], work: Path, credentials: Path
) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """An action server and a Rasa server, both up; returns Rasa's base URL and the processes
    (the action server's URL is in `work / "actions.url"`)."""
    actions_port, rasa_port = free_port(), free_port()
    endpoints = endpoints_file(work, actions_port)
    (work / "actions.url").write_text(f"http://127.0.0.1:{actions_port}")
    procs = [start(actions_cmd(actions_port), env, work / "actions.log")]
    try:
        procs.append(start(rasa_cmd(rasa_port, endpoints, credentials), env, work / "rasa.log"))
        wait_for(f"http://127.0.0.1:{actions_port}/health", procs[0], work / "actions.log")
        wait_for(status_url(f"http://127.0.0.1:{rasa_port}"), procs[1], work / "rasa.log")
    except BaseException:
        stop(procs)
        raise
    return f"http://127.0.0.1:{rasa_port}", procs
