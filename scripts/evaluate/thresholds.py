"""The issue's targets and the regression thresholds `make test` guards, in one place.

TARGETS are where issue 16 wants each figure. THRESHOLDS are what the guard (`make test-eval`)
fails under: the figures measured when they were last set, minus a small margin, so that a
change that makes the assistant understand less fails the tests. Raise them as the NLU
improves; never lower one to make a change pass without saying why in the commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from scripts.evaluate.figures import Figure, Row

#: Issue 16's targets (shares).
TARGETS: dict[str, float] = {
    "intents.in_scope": 0.92,
    "intents.out_of_scope": 0.90,
    "time.ctparse": 0.92,
    "time.duckling": 0.97,
    "sgd_turns.date": 0.97,
    "sgd_turns.time": 0.95,
    "sgd_turns.title": 0.85,
    "dialogues.success": 0.90,
}

#: The guard's minima (shares): the figures measured on 2026-12-06 (docs/EVALUATION.md: the
#: model with all-MiniLM-L6-v2 features) less a margin of about two cases on the sets of a few
#: hundred and one point on the larger ones. A forced retrain on one machine gives identical
#: parses, but a fresh environment does not: the same NLU data and code (8599cc0) trained on
#: 2026-12-06 gave SGD titles 353/407 and 356/407 in one session and 345/407 (84.8%) in the
#: next (CI trains on a clean clone), so the title minimum allows for that spread. The
#: dialogue minimum applies to the guard's subset (every GUARD_STEP-th dialogue).
THRESHOLDS: dict[str, float] = {
    "intents.in_scope": 0.92,  # 205/218 = 94.0%
    "intents.out_of_scope": 0.96,  # 710/730 = 97.3%
    "time.ctparse": 0.92,  # 132/142 = 93.0%
    "time.duckling": 0.97,  # 590/603 = 97.8%
    "sgd_turns.date": 0.98,  # 587/592 = 99.2%
    "sgd_turns.time": 0.97,  # 584/595 = 98.2%
    "sgd_turns.title": 0.84,  # 345-356/407 = 84.8-87.5% over fresh trainings of the same data
    "dialogues.success": 0.92,  # every 8th: 50/51 = 98.0% (all: 386/408 = 94.6%)
}


def misses(rows: Iterable[Row]) -> list[str]:
    """Every measured figure under its threshold, as a sentence; skipped rows are not checked."""
    found = []
    for row in rows:
        for figure in row.figures:
            minimum = THRESHOLDS.get(figure.key)
            if minimum is not None and figure.rate is not None and figure.rate < minimum:
                found.append(below(row.name, figure, minimum))
    return found


def below(row: str, figure: Figure, minimum: float) -> str:
    """ "SGD dialogues, booked as asked: 84.3% (86/102) is under the threshold 86.0%"."""
    return (
        f"{row}, {figure.label}: {100 * (figure.rate or 0):.1f}% ({figure.ok}/{figure.n}) "
        f"is under the threshold {100 * minimum:.1f}%"
    )
