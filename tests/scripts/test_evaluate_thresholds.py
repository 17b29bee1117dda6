"""scripts/evaluate/thresholds.py: targets and thresholds cover the same figures; misses."""

from __future__ import annotations

from scripts.evaluate import thresholds
from scripts.evaluate.figures import Figure, Row, skipped


def test_every_target_has_a_threshold() -> None:
    # A minimum may be above its target: a figure past its target must not fall back either.
    assert set(thresholds.TARGETS) == set(thresholds.THRESHOLDS)
    assert all(0 < share <= 1 for share in [*thresholds.THRESHOLDS.values(),
                                            *thresholds.TARGETS.values()])  # fmt: skip


def test_misses_name_the_figure_and_skip_unmeasured_rows(monkeypatch) -> None:
    monkeypatch.setattr(thresholds, "THRESHOLDS", {"a.x": 0.5, "a.y": 0.5})
    rows = [
        Row("A", (Figure("a.x", "x", 4, 10), Figure("a.y", "y", 5, 10),
                  Figure("a.z", "z", 0, 10))),
        skipped("B", "no data"),
    ]  # fmt: skip
    assert thresholds.misses(rows) == ["A, x: 40.0% (4/10) is under the threshold 50.0%"]
    assert thresholds.misses([Row("A", (Figure("a.x", "x", 0, 0),))]) == []
