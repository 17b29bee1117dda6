"""Row 2: the time extractor on ctparse's and Duckling's corpora, scored by scripts/eval_time.py
(`score_ctparse`, `score_duckling`; the rules of a correct line live there, not here).

Policy "next" (Duckling's and ctparse's reading of a bare "at 5": the next 5 o'clock), the
convention both corpora were written in; the assistant itself runs "business_hours".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scripts import eval_time
from scripts.evaluate.figures import Figure, Row, skipped

POLICY = "next"
CORPORA: dict[str, tuple[str, str, Callable[..., Any]]] = {
    # key: (row name, folder under the data path, scorer)
    "ctparse": ("Time: ctparse (English lines)", "ctparse", eval_time.score_ctparse),
    "duckling": ("Time: Duckling (booking subset)", "duckling", eval_time.score_duckling),
}


def figures_of(key: str, score: Any) -> list[Figure]:
    """The headline (every scored line) and one detail figure per category."""
    figures = [Figure(f"time.{key}", "correct", score.correct, score.total)]
    figures += [
        Figure(f"time.{key}:{category}", category, ok, n, detail=True)
        for category, (ok, n) in score.by_category.items()
    ]
    return figures


def run(data: Path, key: str, failures: Path | None = None) -> Row:
    """Score one corpus; a missing folder skips the row."""
    name, folder, scorer = CORPORA[key]
    corpus = data / folder
    if not corpus.is_dir():
        return skipped(name, f"{corpus} not found")
    try:
        score = scorer(corpus, POLICY)
    except FileNotFoundError as exc:
        return skipped(name, str(exc))
    notes = [f"median {score.median_ms:.2f} ms per phrase, p95 {score.p95_ms:.2f} ms"]
    notes += [f"{category}: {ok}/{n}, not counted" for category, (ok, n) in score.unscored.items()]
    if failures is not None:
        failures.parent.mkdir(parents=True, exist_ok=True)
        failures.write_text("".join(json.dumps(f) + "\n" for f in score.failures))
    files = (f"failures: {failures}",) if failures is not None else ()
    return Row(name, tuple(figures_of(key, score)), notes=tuple(notes), files=files)
