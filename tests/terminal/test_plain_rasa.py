"""Rasa's own commands on a fresh clone with no variable set, as a bot developer runs them
from the project directory with `.venv` activated (issue 21): `rasa run actions` in one
terminal, then `rasa shell` (books an appointment), `rasa run` (REST channel, platforms left
off with one line each) and `rasa interactive` (reaches its first prompt) in the other.

One clone and one action server for the module; each Rasa command is started once (the model
load is most of each test's time).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import timezone
from pathlib import Path

import pexpect
import pytest
import requests

from tests.integration import servers
from tests.terminal.clone import (
    Clone,
    book_in_shell,
    booked_events,
    developer_env,
    make_clone,
    next_wednesday_at_3pm,
    non_loopback_address,
    require_free_ports,
    stop_group,
)

pytestmark = pytest.mark.slow
RASA_URL = "http://127.0.0.1:5005"
ACTIONS_URL = "http://127.0.0.1:5055"


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Clone:
    servers.require_model()
    require_free_ports((5005, 5055))
    path = make_clone(tmp_path_factory.mktemp("plain") / "clone")
    return Clone(path, developer_env(path, activated=True))


@pytest.fixture(scope="module")
def action_server(clone: Clone) -> Iterator[Path]:
    """The developer's first terminal: plain `rasa run actions` (its log's path)."""
    log = clone.path / "actions.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(["rasa", "run", "actions"], cwd=clone.path, env=clone.env,
                                stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    try:
        servers.wait_for(f"{ACTIONS_URL}/health", proc, log)
        yield log
    finally:
        stop_group(proc.pid, proc.poll)


def test_rasa_shell_books_an_appointment(clone: Clone, action_server: Path) -> None:
    log = clone.path / "rasa-shell.log"
    child = clone.spawn("rasa", ["shell"], log)
    try:
        answer = book_in_shell(child)
        child.sendline("/stop")
        child.expect(pexpect.EOF, timeout=60)
    finally:
        stop_group(child.pid, child.isalive)
    assert answer.startswith("Booked: Dentist appointment") and ".ics" in answer, answer
    expected = next_wednesday_at_3pm().astimezone(timezone.utc)
    assert booked_events(clone.database) == [("Dentist appointment", expected, "confirmed")]
    actions = action_server.read_text()
    # The database was created on first use; the server says it answers this machine only.
    assert "migrated to the latest (first use)" in actions
    assert "ACTION_SERVER_TOKEN is not set" in actions


def test_rasa_run_serves_rest_to_this_machine_and_leaves_platforms_off(
    clone: Clone, action_server: Path
) -> None:
    log = clone.path / "rasa-run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(["rasa", "run"], cwd=clone.path, env=clone.env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        servers.wait_for(f"{RASA_URL}/", proc, log)
        body = {"sender": "dev", "message": "hello"}
        answer = requests.post(f"{RASA_URL}/webhooks/rest/webhook", json=body, timeout=60)
        outside = non_loopback_address()
        if outside is not None:  # 0.0.0.0 is reachable there, but nothing answers
            rest = requests.post(f"http://{outside}:5005/webhooks/rest/webhook", json=body,
                                 timeout=30)  # fmt: skip
            action = requests.post(f"http://{outside}:5055/webhook", json={}, timeout=30)
            assert (rest.status_code, action.status_code) == (403, 403)
            assert "REST_CHANNEL_TOKEN is not set" in rest.json()["error"]
            assert "ACTION_SERVER_TOKEN is not set" in action.json()["error"]
        # Read while it serves: a stop during Sanic's start-up listeners logs Sanic's own
        # traceback, which says nothing about the start.
        text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text())
    finally:
        stop_group(proc.pid, proc.poll)
    assert answer.status_code == 200 and answer.json(), answer.text
    assert {m["recipient_id"] for m in answer.json()} == {"default:rest:dev"}
    left_off = re.findall(r"(\w+): the default tenant's account is left off, not set: "
                          r"([A-Z_]+(?:, [A-Z_]+)*)", text)  # fmt: skip
    assert sorted(channel for channel, _ in left_off) == ["instagram", "telegram", "whatsapp"]
    assert ("whatsapp", "WHATSAPP_VERIFY_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_ACCESS_TOKEN, "
            "WHATSAPP_PHONE_NUMBER_ID") in left_off  # fmt: skip
    assert text.count("REST_CHANNEL_TOKEN is not set, so it answers callers on this machine") == 1
    assert "RasaException" not in text and "Traceback" not in text


def test_rasa_interactive_starts_and_reads_a_message(clone: Clone, action_server: Path) -> None:
    log = clone.path / "rasa-interactive.log"
    child = clone.spawn("rasa", ["interactive", "--model", "models/booking.tar.gz",
                                 "--skip-visualization"], log)  # fmt: skip
    try:
        child.expect("Your input ->")
        child.sendline("hello")
        child.expect("classified 'hello' with intent 'greet'", timeout=120)
    finally:
        stop_group(child.pid, child.isalive)
