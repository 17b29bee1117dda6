"""deploy/supervisord.conf as supervisord reads it (its own parser, no process started): the
process counts follow the environment, every process is restarted when it dies and stopped with
SIGTERM and time to finish, and no two processes share a claimer id."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest
from supervisor.datatypes import RestartUnconditionally
from supervisor.options import ServerOptions

ROOT = Path(__file__).resolve().parents[2]


def _programs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **counts: int) -> list[Any]:
    for name, value in {"PROD_RUN_DIR": str(tmp_path), "PROD_LOG_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    for name, value in counts.items():
        monkeypatch.setenv(name, str(value))
    options = ServerOptions()
    options.realize(args=["-c", str(ROOT / "deploy" / "supervisord.conf")])
    return [process for group in options.process_group_configs for process in group.process_configs]


def test_process_counts_follow_the_environment(monkeypatch, tmp_path) -> None:
    programs = _programs(monkeypatch, tmp_path, RASA_PROCESSES=3, ACTION_PROCESSES=1,
                         INGEST_PROCESSES=2)  # fmt: skip
    assert sorted(p.name for p in programs) == [
        "actions-0", "api", "ingest-0", "ingest-1", "rasa-0", "rasa-1", "rasa-2", "worker",
    ]  # fmt: skip
    rasa_2 = next(p for p in programs if p.name == "rasa-2")
    assert rasa_2.command.endswith("scripts/prod_process.sh rasa 2")
    assert Path(rasa_2.directory).resolve() == ROOT


def test_every_process_is_restarted_and_stopped_gracefully(monkeypatch, tmp_path) -> None:
    programs = _programs(monkeypatch, tmp_path, RASA_PROCESSES=2, ACTION_PROCESSES=2,
                         INGEST_PROCESSES=2)  # fmt: skip
    for program in programs:
        assert program.autorestart is RestartUnconditionally, program.name
        assert program.startretries >= 5 and program.startsecs >= 3, program.name
        assert program.stopsignal == signal.SIGTERM, program.name
    # Rasa and ingest get the inbox's 10 s for running messages plus the server's shutdown.
    assert all(p.stopwaitsecs >= 30 for p in programs if p.name.startswith(("rasa", "ingest")))
    # Stopped in reverse priority: Rasa first, while the action servers it calls and the ingest
    # processes that send its replies still run.
    priority = {p.name.split("-")[0]: p.priority for p in programs}
    assert priority["actions"] < priority["ingest"] < priority["rasa"]


def test_claimer_ids_are_stable_and_never_shared(monkeypatch, tmp_path) -> None:
    programs = _programs(monkeypatch, tmp_path, RASA_PROCESSES=3, ACTION_PROCESSES=1,
                         INGEST_PROCESSES=3)  # fmt: skip
    claimers = {p.name: (p.environment or {}).get("CLAIMER_ID") for p in programs}
    queue_processes = {n: c for n, c in claimers.items() if n.startswith(("rasa", "ingest"))}
    assert queue_processes == {name: name for name in queue_processes}  # e.g. rasa-1: rasa-1
