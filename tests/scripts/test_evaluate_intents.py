"""scripts/evaluate/intents.py: in-scope accuracy and out-of-scope rejection from predictions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from scripts.evaluate import intents

RECORDS = [
    {"text": "hi", "intent": "greet", "group": "in_scope"},
    {"text": "hello there", "intent": "greet", "group": "in_scope"},
    {"text": "book a meeting", "intent": "schedule_event", "group": "in_scope"},
    {"text": "what is love", "intent": "out_of_scope", "group": "oos"},
    {"text": "transfer money", "intent": "out_of_scope", "group": "unrelated"},
    {"text": "set a timer", "intent": "out_of_scope", "group": "unrelated"},
]
PREDICTED = ["greet", "nlu_fallback", "schedule_event", "nlu_fallback", "out_of_scope", "help"]


def by_key(figures: list) -> dict:
    return {f.key: (f.ok, f.n) for f in figures}


def test_scores_in_scope_and_rejection_apart() -> None:
    figures = by_key(intents.score(RECORDS, PREDICTED))
    assert figures["intents.in_scope"] == (2, 3)  # nlu_fallback on an in-scope record is wrong
    assert figures["intents.intent:greet"] == (1, 2)
    assert figures["intents.intent:schedule_event"] == (1, 1)
    assert figures["intents.out_of_scope"] == (2, 3)  # out_of_scope and nlu_fallback reject
    assert figures["intents.group:oos"] == (1, 1)
    assert figures["intents.group:unrelated"] == (1, 2)


def test_confusions_name_the_most_frequent_mistakes() -> None:
    assert intents.confusions(RECORDS, PREDICTED)[0] in {
        "greet -> nlu_fallback (1)",
        "out_of_scope -> help (1)",
    }


def test_missing_file_or_model_skips(tmp_path: Path) -> None:
    row = asyncio.run(intents.run(tmp_path, None))
    assert row.skipped and "not found" in row.skipped
    (tmp_path / "intents").mkdir()
    (tmp_path / "intents" / "clinc150_val.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in RECORDS)
    )
    assert "no trained model" in str(asyncio.run(intents.run(tmp_path, None)).skipped)


def test_run_with_a_stand_in_parser(tmp_path: Path) -> None:
    (tmp_path / "intents").mkdir()
    (tmp_path / "intents" / "clinc150_val.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in RECORDS)
    )
    answers = dict(zip([r["text"] for r in RECORDS], PREDICTED, strict=True))

    async def parse(texts: list[str]) -> list[dict]:
        return [{"intent": {"name": answers[t]}} for t in texts]

    row = asyncio.run(intents.run(tmp_path, parse))
    assert row.skipped is None
    assert by_key(list(row.figures))["intents.in_scope"] == (2, 3)
