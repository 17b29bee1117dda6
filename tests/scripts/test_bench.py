"""scripts/bench.py: the CPU accounting behind the "CPU per message" columns and the search
for the highest sustained rate."""

from __future__ import annotations

import os

from scripts.bench import Bench, RateSearch, Step, cpu_by_process


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


def _search(capacity: float, refine: int = 2) -> RateSearch:
    """Run a search against a channel that sustains every rate up to `capacity`."""
    search = RateSearch(refine=refine)
    while not search.done:
        rate = search.next_rate
        answered = 10 if rate <= capacity else 9
        search.record(Step(rate, 10, answered, 0, [100.0] * answered))
    return search


def test_the_search_rises_by_30_percent_then_halves_twice() -> None:
    search = _search(capacity=30)
    rates = [step.rate for step in search.steps]
    assert rates == [4.0, 5.2, 6.8, 8.8, 11.4, 14.8, 19.2, 25.0, 32.5, 28.8, 30.6]
    assert search.passed == 28.8


def test_a_failing_first_step_ends_the_search_with_nothing_sustained() -> None:
    search = _search(capacity=1)
    assert [step.rate for step in search.steps] == [4.0]
    assert search.passed == 0.0


def test_the_search_takes_channels_in_turn() -> None:
    class Recorder(Bench):
        def __init__(self) -> None:
            self.order: list[tuple[str, float]] = []

        def attempt(self, kind: str, rate: float, seconds: float) -> Step:
            self.order.append((kind, rate))
            ok = rate <= (8 if kind == "a" else 5)
            return Step(rate, 1, 1 if ok else 0, 0, [1.0])

    bench = Recorder()
    found = bench.search(("a", "b"), seconds=1)
    assert found["a"][0] == 7.8 and found["b"][0] == 4.9
    assert bench.order[:6] == [
        ("a", 4.0),
        ("b", 4.0),
        ("a", 5.2),
        ("b", 5.2),
        ("a", 6.8),
        ("b", 4.6),
    ]
