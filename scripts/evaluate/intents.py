"""Row 1: intents on CLINC150's validation records (intents/clinc150_val.jsonl).

In-scope records count as correct when the predicted intent is theirs; out-of-scope records
(CLINC150's own `oos` and the unrelated in-scope sample) count as rejected when the model says
`out_of_scope` or `nlu_fallback` (the FallbackClassifier of config.yml, threshold 0.5).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from scripts.evaluate.figures import Figure, Row, skipped
from scripts.evaluate.sgd import read_jsonl

NAME = "Intents (CLINC150 val)"
FILE = Path("intents") / "clinc150_val.jsonl"
REJECTED = frozenset({"out_of_scope", "nlu_fallback"})


def is_correct(record: Mapping[str, Any], predicted: str) -> bool:
    """In scope: the record's intent; out of scope: a rejection."""
    if record.get("group") == "in_scope":
        return predicted == record["intent"]
    return predicted in REJECTED


def score(records: Iterable[Mapping[str, Any]], predicted: Iterable[str]) -> list[Figure]:
    """The row's figures from records and their predicted intents (same order)."""
    ok: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for record, intent in zip(records, predicted, strict=True):
        keys = ["in_scope", f"intent:{record['intent']}"]
        if record.get("group") != "in_scope":
            keys = ["out_of_scope", f"group:{record.get('group')}"]
        for key in keys:
            total[key] += 1
            ok[key] += is_correct(record, intent)
    figures = [Figure("intents.in_scope", "in-scope accuracy", ok["in_scope"], total["in_scope"])]
    figures += [
        Figure(f"intents.{key}", key.split(":", 1)[1], ok[key], total[key], detail=True)
        for key in sorted(k for k in total if k.startswith("intent:"))
    ]
    figures.append(
        Figure(
            "intents.out_of_scope", "out-of-scope rejected", ok["out_of_scope"],
            total["out_of_scope"],
        )
    )  # fmt: skip
    figures += [
        Figure(f"intents.{key}", f"{key.split(':', 1)[1]} rejected", ok[key], total[key], True)
        for key in sorted(k for k in total if k.startswith("group:"))
    ]
    return figures


def confusions(records: Iterable[Mapping[str, Any]], predicted: Iterable[str]) -> list[str]:
    """The most frequent mistakes, "gold -> predicted (count)", for the notes."""
    wrong = Counter(
        f"{r['intent']} -> {p}" for r, p in zip(records, predicted, strict=True)
        if not is_correct(r, p)
    )  # fmt: skip
    return [f"{pair} ({n})" for pair, n in wrong.most_common(5)]


Parse = Callable[[list[str]], Awaitable[list[dict[str, Any]]]]


async def run(data: Path, parse: Parse | None) -> Row:
    """Measure the row; `parse` turns texts into Rasa parse results (None: no model)."""
    path = data / FILE
    if not path.is_file():
        return skipped(NAME, f"{path} not found")
    if parse is None:
        return skipped(NAME, "no trained model (run `make train`)")
    records = read_jsonl(path)
    parses = await parse([r["text"] for r in records])
    predicted = [str((p.get("intent") or {}).get("name")) for p in parses]
    return Row(
        name=NAME,
        figures=tuple(score(records, predicted)),
        notes=tuple(f"frequent mistake: {c}" for c in confusions(records, predicted)),
    )
