"""`make shell` on a fresh clone with no variable set books an appointment in the terminal
(issue 21: it stopped at start-up on credentials.yml's platform variables)."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

import pexpect
import pytest

from tests.integration import servers
from tests.terminal.clone import (
    Clone,
    book_in_shell,
    booked_events,
    developer_env,
    make_clone,
    next_wednesday_at_3pm,
    require_free_ports,
    stop_group,
)

pytestmark = pytest.mark.slow


def test_make_shell_books_an_appointment_on_a_fresh_clone(tmp_path: Path) -> None:
    servers.require_model()
    require_free_ports()
    path = make_clone(tmp_path / "clone")
    clone = Clone(path, developer_env(path, activated=False))
    child = clone.spawn("make", ["shell"], tmp_path / "make-shell.log")
    try:
        # The clone's model is stamped as trained from its inputs: no retraining (minutes).
        assert child.expect(["Model is up to date", "Training models"]) == 0
        answer = book_in_shell(child)
        child.sendline("/stop")
        child.expect(pexpect.EOF, timeout=60)
    finally:
        stop_group(child.pid, child.isalive)
    assert answer.startswith("Booked: Dentist appointment") and ".ics" in answer, answer
    expected = next_wednesday_at_3pm().astimezone(timezone.utc)
    assert booked_events(clone.database) == [("Dentist appointment", expected, "confirmed")]
    log = (tmp_path / "make-shell.log").read_text()
    assert "RasaException" not in log and "Traceback" not in log
