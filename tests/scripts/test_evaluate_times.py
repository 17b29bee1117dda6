"""scripts/evaluate/times.py: eval_time's scores as the table's figures, and skipping."""

from __future__ import annotations

import json
from pathlib import Path

from scripts.eval_time import TimeScore
from scripts.evaluate import times


def test_figures_of_a_score() -> None:
    score = TimeScore(correct=5, total=7, by_category={"day": (3, 4), "negatives": (2, 3)},
                      failures=[], median_ms=0.4)  # fmt: skip
    figures = times.figures_of("duckling", score)
    assert [(f.key, f.ok, f.n, f.detail) for f in figures] == [
        ("time.duckling", 5, 7, False),
        ("time.duckling:day", 3, 4, True),
        ("time.duckling:negatives", 2, 3, True),
    ]


def test_missing_corpus_skips(tmp_path: Path) -> None:
    assert "not found" in str(times.run(tmp_path, "ctparse").skipped)
    (tmp_path / "duckling").mkdir()
    assert "not found" in str(times.run(tmp_path, "duckling").skipped)  # files missing


def test_a_tiny_duckling_corpus(tmp_path: Path) -> None:
    ref = "2013-02-12T04:30:00-02:00"
    lines = [
        {"text": "tomorrow", "reftime": ref, "dim": "time", "latent": False,
         "expected": {"type": "value", "grain": "day", "value": "2013-02-13T00:00:00.000-02:00"}},
        {"text": "laughing out loud", "reftime": ref, "dim": "time", "expected": None},
    ]  # fmt: skip
    corpus = tmp_path / "duckling"
    corpus.mkdir()
    (corpus / "time_en.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    (corpus / "duration_en.jsonl").write_text("")
    failures = tmp_path / "out" / "failures.jsonl"
    row = times.run(tmp_path, "duckling", failures)
    assert row.skipped is None
    assert (row.figures[0].ok, row.figures[0].n) == (2, 2)
    assert failures.read_text() == ""
