"""Starting the real processes for end-to-end tests: action server and Rasa servers.

Shared by the REST, channel and fault tests so that they start, wait for and stop the
processes the same way (free loopback ports, logs in the test's work directory). The generic
parts live in scripts/assistant_processes.py, which the conversation tests use too; this adds
the test session's tokens and the pytest rules for a missing model.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.assistant_processes import (
    MODEL,
    ROOT,
    actions_cmd,
    endpoints_file,
    free_port,
    start,
    stop,
    wait_for,
)
from scripts.assistant_processes import rasa_cmd as _rasa_cmd

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


def ingest_cmd(port: int, credentials: Path) -> list[str]:
    """`python -m connectors.ingest` (webhooks + reply sender, no Rasa) on `port`."""
    return [sys.executable, "-m", "connectors.ingest", "--host", "127.0.0.1", "--port", str(port),
            "--credentials", str(credentials)]  # fmt: skip


def rasa_cmd(port: int, endpoints: Path, credentials: Path) -> list[str]:
    """`rasa run` with the trained model and the HTTP API (behind the session's token) on
    loopback `port`, as `make run` starts it."""
    return _rasa_cmd(port, endpoints, credentials, TOKENS["RASA_AUTH_TOKEN"])


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
