"""Print the held-out NLU figures and fail when they are under the thresholds.

Reads the reports `rasa test nlu --out DIR` writes: intent_report.json and the entity report of
DIET (config.yml's `DIETWithout`, named after its class).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# The held-out figures of the model with all-MiniLM-L6-v2 features (2026-12-06): intent
# weighted F1 0.952, event_title F1 0.958, less a small margin (training is deterministic
# here: a forced retrain gives identical parses). Issue 16's target for the intent F1 is 0.95.
INTENT_F1_MIN = 0.945
TITLE_F1_MIN = 0.92
#: The entity extractor whose report holds the event_title figure.
DIET_REPORT = "DIETWithout"


def read_figures(results: Path) -> tuple[float, float]:
    """(intent weighted F1, event_title entity F1)."""
    intents = json.loads((results / "intent_report.json").read_text())
    entities = json.loads((results / f"{DIET_REPORT}_report.json").read_text())
    return (
        float(intents["weighted avg"]["f1-score"]),
        float(entities.get("event_title", {}).get("f1-score", 0.0)),
    )


def main(argv: list[str] | None = None) -> int:
    """Compare the figures with the thresholds; exit 1 when one is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", nargs="?", default="results/nlu")
    args = parser.parse_args(argv)
    intent_f1, title_f1 = read_figures(Path(args.results))
    ok = intent_f1 >= INTENT_F1_MIN and title_f1 >= TITLE_F1_MIN
    print(
        f"NLU held-out: intent weighted F1 = {intent_f1:.3f} (min {INTENT_F1_MIN}), "
        f"event_title F1 = {title_f1:.3f} (min {TITLE_F1_MIN}): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
