"""scripts/bench_nlu.py: the held-out texts it parses."""

from __future__ import annotations

from pathlib import Path

from scripts.bench_nlu import holdout_texts, rss_mb


def test_annotations_are_removed(tmp_path: Path) -> None:
    data = tmp_path / "nlu.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n- intent: schedule_event\n  examples: |\n'
        "    - book a [haircut](event_title) tomorrow\n"
        '    - a [dentist]{"entity": "event_title"} visit\n'
    )
    assert holdout_texts(data) == ["book a haircut tomorrow", "a dentist visit"]


def test_the_real_holdout_file_is_read() -> None:
    texts = holdout_texts()
    assert len(texts) > 200 and all("](" not in t for t in texts)


def test_memory_is_read() -> None:
    assert rss_mb() > 1
