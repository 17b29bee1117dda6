"""scripts/evaluate/report.py: the table (terminal and markdown) and the document."""

from __future__ import annotations

from scripts.evaluate import report
from scripts.evaluate.figures import Figure, Row, skipped

ROWS = [
    Row("Intents", (Figure("intents.in_scope", "in-scope accuracy", 3, 4),
                    Figure("intents.intent:greet", "greet", 1, 2, detail=True)),
        notes=("frequent mistake: greet -> help (1)",), files=("failures: /tmp/x",)),
    skipped("SGD dialogues", "/data/sgd_services/dialogues.jsonl not found"),
]  # fmt: skip
INFO = report.RunInfo(command="make eval", date="2026-12-04 20:00 UTC", model="m", commit="abc123",
                      machine="2 cores", seconds={"loading the model": (2.0, 2.0),
                      "SGD dialogues": (8.0, 6.0), "total": (10.0, 8.0)},
                      dialogue_step=8)  # fmt: skip


def test_pct() -> None:
    assert (report.pct(0.9274), report.pct(None), report.pct(1.0)) == ("92.7%", "-", "100.0%")


def test_text_table_shows_headlines_targets_and_skips() -> None:
    table = report.text_table(ROWS)
    assert "75.0% (3/4)" in table and "92.0%" in table
    assert "greet" not in table  # details only on request
    assert "skipped: /data/sgd_services/dialogues.jsonl not found" in table
    assert "greet" in report.text_table(ROWS, details=True)


def test_markdown_table_has_details_and_bold_headlines() -> None:
    table = report.markdown_table(ROWS).splitlines()
    assert table[0] == "| row | figure | measured | n | target | guard min |"
    assert table[2].startswith("| Intents | **in-scope accuracy** | 75.0% (3/4) | 4 | 92.0% |")
    assert table[3].startswith("|  | greet | 50.0% (1/2) | 2 |  |")


def test_document_says_how_and_keeps_no_local_paths() -> None:
    doc = report.document(ROWS, INFO)
    assert doc.startswith("# Evaluation")
    assert "- command: `make eval`" in doc and "2026-12-04 20:00 UTC" in doc
    assert "total 10 s (8 s CPU)" in doc
    assert "takes about 3 s at this pace" in doc  # 2 s + 8 s / 8
    assert "frequent mistake: greet -> help (1)" in doc and "/tmp/x" not in doc
    assert "every 8th" in doc and "dentist, dentists, dental" in doc
