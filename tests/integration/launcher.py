"""The real production launcher (scripts/run_prod.sh under supervisord) for the launcher fault
tests: started on loopback ports of its own, a fresh PostgreSQL schema and Redis, with the
WhatsApp stand-in; its processes inspected and killed through supervisorctl."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from standins import webhooks as f
from standins.platform_apis import StandIn
from tests.integration import clusters, servers

SUPERVISORCTL = str(servers.ROOT / ".venv" / "bin" / "supervisorctl")
CONF = str(servers.ROOT / "deploy" / "supervisord.conf")


def free_port_range(count: int) -> int:
    """The first of `count` consecutive loopback ports nobody listens on now."""
    for _ in range(50):
        base = servers.free_port()
        try:
            for port in range(base, base + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError(f"no {count} consecutive free ports")


@dataclass
class Launcher:
    """A running scripts/run_prod.sh."""

    proc: subprocess.Popen[bytes]
    env: dict[str, str]
    standin: StandIn
    ingest_url: str
    rasa_urls: list[str]
    logs: Path

    def ctl(self, *args: str) -> str:
        """supervisorctl's output for `args`."""
        done = subprocess.run([SUPERVISORCTL, "-c", CONF, *args], env=self.env,
                              capture_output=True, text=True, timeout=30)  # fmt: skip
        return done.stdout.strip()

    def pid(self, name: str) -> int:
        """The pid supervisord runs `name` (e.g. "rasa:rasa-0") as; 0 when not running."""
        out = self.ctl("pid", name)
        return int(out) if out.isdigit() else 0

    def wait_running(self, name: str, other_than: int = 0, timeout: float = 60) -> int:
        """Until supervisord runs `name` with a pid other than `other_than`; that pid."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.pid(name)
            if pid and pid != other_than:
                return pid
            time.sleep(0.2)
        raise TimeoutError(f"{name} not running again after {timeout} s: {self.ctl('status')}")


def wait_ok(url: str, launcher: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Until `url` answers 2xx (fails with the launcher's log if the launcher exits)."""
    servers.wait_for(url, launcher, log, timeout=timeout)


def launcher_env(work: Path, postgres_url: str, redis_url: str, standin: StandIn) -> dict[str, str]:
    """scripts/run_prod.sh's environment: ports of its own, two processes of each (one action
    server: two cores), the stand-in as the Graph API, the production lease (120 s)."""
    rasa, actions, api = free_port_range(2), free_port_range(1), servers.free_port()
    return {
        **clusters.base_env(),
        "DATABASE_URL": postgres_url,
        "TRACKER_STORE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "REDIS_LOCK_KEY_PREFIX": f"launcher-{uuid.uuid4().hex[:8]}:",
        "WHATSAPP_VERIFY_TOKEN": "fault-verify",
        "WHATSAPP_APP_SECRET": clusters.FAULT_APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": "fault-token",
        "WHATSAPP_PHONE_NUMBER_ID": f.PHONE_NUMBER_ID,
        "WHATSAPP_API_URL": f"{standin.url}/whatsapp/v21.0",
        "INBOX_LEASE_SECONDS": "120",
        "RASA_PROCESSES": "2",
        "ACTION_PROCESSES": "1",
        "INGEST_PROCESSES": "2",
        "RASA_PORT": str(rasa),
        "ACTIONS_PORT": str(actions),
        "INGEST_PORT": str(servers.free_port()),
        "INGEST_HOST": "127.0.0.1",
        "API_PORT": str(api),
        "PROD_RUN_DIR": str(work / "run"),
        "PROD_LOG_DIR": str(work / "log"),
    }


@contextmanager
def run_prod(work: Path, postgres_url: str, redis_url: str) -> Iterator[Launcher]:
    """scripts/run_prod.sh until every process answers; stopped with SIGTERM at the end, and
    it must then stop every process it runs within its stop timeouts."""
    servers.require_model()
    with StandIn() as standin:
        env = launcher_env(work, postgres_url, redis_url, standin)
        log = work / "run_prod.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([str(servers.ROOT / "scripts" / "run_prod.sh")],
                                    cwd=servers.ROOT, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        rasa = int(env["RASA_PORT"])
        launcher = Launcher(proc, env, standin, f"http://127.0.0.1:{env['INGEST_PORT']}",
                            [f"http://127.0.0.1:{rasa + i}" for i in range(2)],
                            work / "log")  # fmt: skip
        try:
            wait_ok(f"{launcher.ingest_url}/health", proc, log, timeout=120)
            wait_ok(f"http://127.0.0.1:{env['ACTIONS_PORT']}/health", proc, log, timeout=180)
            for url in launcher.rasa_urls:
                wait_ok(f"{url}/", proc, log, timeout=300)
            yield launcher
        finally:
            stop(launcher)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(launcher: Launcher, timeout: float = 90) -> None:
    """SIGTERM to supervisord, as `kill` or an init system sends it: it must stop, and every
    process it ran with it, within `timeout` (what is left is killed and the test fails)."""
    proc = launcher.proc
    children = [int(p) for p in launcher.ctl("pid", "all").split() if p.isdigit() and p != "0"]
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            proc.kill()
            proc.wait()
            children = [pid for pid in children if _alive(pid)]
            for pid in children:
                os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"run_prod.sh did not stop {timeout} s after SIGTERM") from expired
    left = [pid for pid in children if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes {left} outlived run_prod.sh"


def get(url: str) -> int:
    """GET's status, 0 when nothing answers."""
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0
