"""`make bench-nlu`: how long one parse takes with the trained model, and what it costs in memory.

    python scripts/bench_nlu.py [--model models/booking.tar.gz] [--rounds 3]

Parses every example of tests/rasa/nlu_holdout.yml (our own held-out sentences) in this
process with `Agent.parse_message`, as the Rasa server does for each message, after a warm-up;
prints the median, p95 and worst parse in milliseconds and the process's resident memory
before and after loading the model. Issue 16 budgets the parse at p95 <= 30 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "tests" / "rasa" / "nlu_holdout.yml"
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def holdout_texts(path: Path = HOLDOUT) -> list[str]:
    """The examples of a Rasa NLU YAML file as plain text (entity annotations removed)."""
    texts = []
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("- ") and not stripped.startswith("- intent:"):
            texts.append(_ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", stripped[2:]))
    return texts


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(model: Path, rounds: int) -> dict[str, float]:
    """Parse the held-out texts `rounds` times; latency percentiles and memory."""
    from rasa.core.agent import Agent

    before = rss_mb()
    agent = Agent.load(str(model))
    texts = holdout_texts()
    for text in texts[:20]:
        await agent.parse_message(text)
    loaded = rss_mb()
    took: list[float] = []
    cpu_start = time.process_time()
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            await agent.parse_message(text)
            took.append((time.perf_counter() - start) * 1000)
    cpu_ms = (time.process_time() - cpu_start) * 1000 / max(len(took), 1)
    took.sort()
    return {
        "parses": len(took),
        "median_ms": statistics.median(took),
        "p95_ms": took[int(len(took) * 0.95) - 1],
        "max_ms": took[-1],
        "cpu_ms": cpu_ms,
        "rss_before_mb": before,
        "rss_loaded_mb": loaded,
        "rss_after_mb": rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    """Print one line of figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "booking.tar.gz"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    model = Path(args.model)
    if not model.is_file():
        print(f"no model at {model}: run `make train`")
        return 1
    figures = asyncio.run(measure(model, args.rounds))
    print(
        f"NLU parse ({model.name}, {figures['parses']:.0f} parses): median "
        f"{figures['median_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, worst "
        f"{figures['max_ms']:.1f} ms, CPU {figures['cpu_ms']:.1f} ms per parse; RSS "
        f"{figures['rss_before_mb']:.0f} MB before loading, "
        f"{figures['rss_loaded_mb']:.0f} MB loaded, {figures['rss_after_mb']:.0f} MB after"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
