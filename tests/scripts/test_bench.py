"""scripts/bench.py: the CPU accounting behind the "CPU per message" columns."""

from __future__ import annotations

import os

from scripts.bench import Bench, cpu_by_process


def test_cpu_is_counted_per_process_so_an_ended_process_cannot_go_negative() -> None:
    before = {1: ("postgres", 5.0), 2: ("postgres", 1.0), 3: ("rasa", 2.0)}
    # Backend 2 ended (its client stopped), backend 4 started, Rasa used 0.5 s.
    after = {1: ("postgres", 5.25), 3: ("rasa", 2.5), 4: ("postgres", 0.25)}
    assert Bench.used(before, after) == {"postgres": 0.5, "rasa": 0.5}


def test_the_named_processes_with_their_children_and_this_process_are_read() -> None:
    snapshot = cpu_by_process({"rasa-0": os.getppid(), "ingest": os.getpid()})
    assert snapshot[os.getppid()][0] == "rasa"  # rasa-N are one group
    assert snapshot[os.getpid()][0] in {"ingest", "bench+stand-in"}
    assert all(seconds >= 0 for _, seconds in snapshot.values())
