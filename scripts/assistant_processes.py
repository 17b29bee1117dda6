"""Starting the assistant's real processes (action server, Rasa server) on free loopback ports.

Shared by the conversation tests (`make test-conversations`, scripts/conversation_tests) and
the end-to-end tests (tests/integration/servers.py), so that they start, wait for and stop the
processes the same way: logs in a work directory, the endpoints file as the launchers write it
(scripts/endpoints_file.py), loopback interfaces only.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from scripts.endpoints_file import endpoints_text

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "booking.tar.gz"
RASA = str(Path(sys.executable).with_name("rasa"))


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


def endpoints_file(work: Path, actions_port: int, *, token: bool = True) -> Path:
    """The project's endpoints.yml with the action server on `actions_port` and, with `token`,
    the ACTION_SERVER_TOKEN header (as `make run` writes it)."""
    path = work / "endpoints.yml"
    source = (ROOT / "endpoints.yml").read_text()
    path.write_text(endpoints_text(source, f"http://127.0.0.1:{actions_port}/webhook", token=token))
    return path


def actions_cmd(port: int) -> list[str]:
    """`rasa run actions` on `port`."""
    return [RASA, "run", "actions", "--port", str(port)]


def rasa_cmd(
    port: int, endpoints: Path, credentials: Path, auth_token: str, model: Path = MODEL
) -> list[str]:
    """`rasa run` with the trained model and the HTTP API (behind `auth_token`) on loopback
    `port`, as `make run` starts it."""
    return [RASA, "run", "--model", str(model), "--enable-api", "--auth-token", auth_token,
            "--interface", "127.0.0.1", "--port", str(port), "--endpoints", str(endpoints),
            "--credentials", str(credentials)]  # fmt: skip


def migrate(env: dict[str, str], url: str | None = None) -> None:
    """`python -m booking_core.db.migrate`: schema plus the default tenant."""
    subprocess.run([sys.executable, "-m", "booking_core.db.migrate", *([url] if url else [])],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
