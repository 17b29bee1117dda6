"""The benchmark's arithmetic: percentiles, one load step, the sustainable-rate search, tables."""

from __future__ import annotations

from dataclasses import dataclass, field


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 of `values` (nearest rank; NaN when empty)."""
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99)}

@dataclass
class Step:
    """One load step's outcome."""

    rate: float
    sent: int
    answered: int
    twice: int
    latencies_ms: list[float]
    #: CPU seconds each process group used during the step (see cpu_by_process).
    cpu: dict[str, float] = field(default_factory=dict)

    def cpu_ms_per_message(self) -> str:
        """Where the CPU went, per answered message."""
        if not self.answered:
            return "n/a"
        total = sum(self.cpu.values())
        parts = [f"{name} {seconds * 1000 / self.answered:.0f}"
                 for name, seconds in sorted(self.cpu.items()) if seconds > 0]  # fmt: skip
        return f"{total * 1000 / self.answered:.0f} ms ({', '.join(parts)})"

    @property
    def p(self) -> dict[str, float]:
        return percentiles(self.latencies_ms)

    @property
    def sustained(self) -> bool:
        return self.sent > 0 and self.answered == self.sent and self.p["p95"] < 1000


@dataclass
class RateSearch:
    """The highest sustained rate: rising by 30% from 4/s until a step fails, then `refine`
    halvings of the interval between the last rate sustained and the first failed (so the rate
    is known to ~8%, not to the 30% grid)."""

    refine: int = 2
    passed: float = 0.0
    failed: float = 0.0
    next_rate: float = 4.0
    done: bool = False
    steps: list[Step] = field(default_factory=list)

    def record(self, step: Step) -> None:
        """Take one step's outcome and choose the next rate (or finish)."""
        self.steps.append(step)
        if step.sustained:
            self.passed = step.rate
        else:
            self.failed = step.rate
        if not self.failed:
            self.next_rate = round(step.rate * 1.3, 1)
            self.done = self.next_rate >= 400
            return
        halvings = (
            len(self.steps) - 1 - next(i for i, s in enumerate(self.steps) if not s.sustained)
        )
        if not self.passed or halvings >= self.refine:
            self.done = True
            return
        self.next_rate = round((self.passed + self.failed) / 2, 1)

def table(rows: list[tuple[str, str]]) -> str:
    """A two-column Markdown table."""
    if not rows:
        return "(not measured in this run)"
    width = max(len(k) for k, _ in rows)
    header = f"| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|"
    return header + "\n" + "\n".join(f"| {k:<{width}} | {v} |" for k, v in rows)


def spread(step: Step) -> str:
    """A step's latency percentiles as one table cell."""
    p = step.p
    count = len(step.latencies_ms)
    return f"p50 {p['p50']:.0f} / p95 {p['p95']:.0f} / p99 {p['p99']:.0f} ms ({count} msgs)"
