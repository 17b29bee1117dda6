"""The runner against the real assistant: a conversation passes while the action answers as
written and fails, naming expected and got, once the answer differs; an invalid file stops it
before anything runs. Played on the session's running assistant (the `make run` defaults),
so no other Rasa server is started for this."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts.conversation_tests.__main__ import main
from scripts.conversation_tests.days import fill_days
from scripts.conversation_tests.play import Assistant

ROOT = Path(__file__).resolve().parents[3]
#: action_show_agenda's answer for a customer with nothing booked (a fresh sender every run).
AGENDA = """
conversations:
  - name: the agenda of a new customer
    turns:
      - user: what's on next tuesday?
        bot: ["{answer}"]
"""


def write(tmp_path: Path, answer: str) -> Path:
    path = tmp_path / "agenda.yml"
    path.write_text(AGENDA.replace("{answer}", answer))
    return path


@pytest.mark.slow
def test_the_runner_fails_when_the_action_answers_otherwise(
    embedded_assistant: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = ["--rasa-url", embedded_assistant["url"], "--database-url",
              embedded_assistant["db_url"]]  # fmt: skip
    assert main([*target, str(write(tmp_path, "You have nothing booked on {next tuesday}."))]) == 0
    assert "PASS the agenda of a new customer" in capsys.readouterr().out

    changed = write(tmp_path, "You have no bookings on {next tuesday}.")
    assert main([*target, str(changed)]) == 1
    out = capsys.readouterr().out
    today = Assistant(embedded_assistant["url"], embedded_assistant["db_url"]).today()
    day = fill_days("{next tuesday}", today)
    assert "FAIL the agenda of a new customer" in out
    assert (f"turn 1 (\"what's on next tuesday?\"): expected text 'You have no bookings on "
            f"{day}.', got 'You have nothing booked on {day}.'") in out  # fmt: skip
    assert "0 passed, 1 failed" in out


def test_an_invalid_file_exits_2_before_starting_anything(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("conversations: [{name: n, turns: [{user: hi, bot: [{contians: x}]}]}]")
    done = subprocess.run([sys.executable, "-m", "scripts.conversation_tests", str(bad)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2
    assert "unknown key(s) contians" in done.stderr and "assistant up" not in done.stdout
