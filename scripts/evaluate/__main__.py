"""`make eval` / `make test-eval`: measure the assistant on the development data, print one
table, and either write docs/EVALUATION.md or fail under the thresholds.

    python -m scripts.evaluate [--data ../shared/eval] [--write docs/EVALUATION.md]
    python -m scripts.evaluate --guard      # thresholds, dialogue subset; for make test

Every row is skipped with its reason when its folder is absent. The guard skips (exit 0) when
the data folder is absent; with the data present but no trained model it skips too, except
under CI=true, where that is a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scripts.evaluate import dialogues, intents, sgd_turns, thresholds, times
from scripts.evaluate.assistant import MODEL, ROOT, ZONE, frozen_clock, reference
from scripts.evaluate.figures import Row
from scripts.evaluate.report import RunInfo, document, text_table

DEFAULT_DATA = ROOT.parent / "shared" / "eval"
OUT = ROOT / "var" / "eval"
NEEDS_MODEL = ("intents", "sgd_turns", "dialogues")


def snapshot(model: Path, out: Path, tries: int = 3) -> Path | None:
    """A readable copy of the model (the one in models/ may be rewritten by a training while
    this runs); None without a model."""
    if not model.is_file():
        return None
    out.mkdir(parents=True, exist_ok=True)
    copy = out / "model.tar.gz"
    for attempt in range(tries):
        shutil.copy2(model, copy)  # with its time: when it was trained
        try:
            with tarfile.open(copy) as tar:
                tar.getmembers()
            return copy
        except (tarfile.TarError, EOFError, OSError):
            if attempt == tries - 1:
                raise
            print("model unreadable (a training writing it?); trying again in 30 s")
            time.sleep(30)
    return None


def describe_model(copy: Path) -> str:
    """ "trained 2026-12-04 19:13 UTC, sha256 1a2b3c4d5e6f, from this checkout's data: yes"."""
    digest = hashlib.sha256(copy.read_bytes()).hexdigest()[:12]
    when = datetime.fromtimestamp(copy.stat().st_mtime, timezone.utc)
    fingerprint = MODEL.with_name("booking.fingerprint")
    try:
        ours = subprocess.run(
            [str(ROOT / "scripts" / "train.sh"), "--fingerprint"],
            capture_output=True, text=True, check=True, cwd=ROOT,
        ).stdout.strip()  # fmt: skip
        same = "yes" if fingerprint.read_text().strip() == ours else "no"
    except (OSError, subprocess.CalledProcessError):
        same = "unknown"
    return (
        f"models/booking.tar.gz, trained {when:%Y-%m-%d %H:%M} UTC, sha256 {digest}; trained "
        f"from this checkout's data, config, domain and nlu/: {same}"
    )


def commit() -> str:
    """The checkout's commit, "+ changes" when the tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes" if dirty.strip() else "")  # fmt: skip


Timings = dict[str, tuple[float, float]]


class Stopwatch:
    """Wall-clock and CPU seconds of each step (CPU: what a quiet machine would take, about)."""

    def __init__(self) -> None:
        self.steps: Timings = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        """Record the time since the last lap under `name`."""
        wall, cpu = time.perf_counter(), time.process_time()
        self.steps[name] = (wall - self._wall, cpu - self._cpu)
        self._wall, self._cpu = wall, cpu


async def measure(data: Path, agent: Any, step: int, watch: Stopwatch, out: Path) -> list[Row]:
    """Every row, in the table's order, under the frozen clock."""

    async def parse(texts: list[str]) -> list[dict[str, Any]]:
        return [await agent.parse_message(t) for t in texts]

    nlu = parse if agent else None
    rows: list[Row] = []
    with frozen_clock(reference()):
        rows.append(await intents.run(data, nlu))
        watch.lap(rows[-1].name)
        for key in ("ctparse", "duckling"):
            rows.append(times.run(data, key, out / f"{key}_failures.jsonl"))
            watch.lap(rows[-1].name)
        rows.append(await sgd_turns.run(data, nlu, ZONE, out / "sgd_turns.jsonl"))
        watch.lap(rows[-1].name)
        rows.append(await dialogues.run(data, agent, ZONE, step=step, out=out / "dialogues"))
        watch.lap(rows[-1].name)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Measure, print, then write the document or check the thresholds."""
    ap = argparse.ArgumentParser(prog="python -m scripts.evaluate", description=__doc__)
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="the development data folder")
    ap.add_argument("--write", help="write the table and definitions to this markdown file")
    ap.add_argument("--guard", action="store_true", help="fail under the thresholds")
    ap.add_argument("--model", default=str(MODEL), help="the model to measure (default: make "
                    "train's); another one is for comparing pipelines")  # fmt: skip
    ap.add_argument("--out", help=f"where failure files go (default {OUT})")
    ap.add_argument("--step", type=int, help="play every STEP-th dialogue (guard default "
                    f"{dialogues.GUARD_STEP}, else 1)")  # fmt: skip
    args = ap.parse_args(argv)
    data = Path(args.data)
    step = args.step or (dialogues.GUARD_STEP if args.guard else 1)
    ci = os.environ.get("CI", "").lower() == "true"
    if not data.is_dir():
        print(f"evaluation skipped: {data} not found (the development data is not on this machine)")
        return 0
    load = os.getloadavg()[0]
    watch = Stopwatch()
    model_path = Path(args.model)
    base_out = Path(args.out) if args.out else OUT
    model = snapshot(model_path, base_out)
    agent = None
    if model is None:
        message = f"no trained model at {model_path} (run `make train`)"
        if args.guard and ci:
            print(f"evaluation failed: {message}, and CI=true requires the evaluation")
            return 1
        print(f"model rows skipped: {message}")
    else:
        from scripts.evaluate.assistant import fresh_database, load_agent

        fresh_database(base_out / "db")
        agent = load_agent(model)
    watch.lap("loading the model")
    out = base_out / "guard" if args.guard else base_out  # the guard keeps make eval's files
    rows = asyncio.run(measure(data, agent, step, watch, out))
    total = (sum(w for w, _ in watch.steps.values()), sum(c for _, c in watch.steps.values()))
    watch.steps["total"] = total
    print(text_table(rows))
    for row in rows:
        for note in (*row.notes, *row.files):
            print(f"  {row.name}: {note}")
    print(
        "time (wall / CPU): "
        + ", ".join(f"{name} {wall:.0f} / {cpu:.0f} s" for name, (wall, cpu) in watch.steps.items())
    )
    if args.write:
        info = RunInfo(
            command="make eval  (python -m scripts.evaluate --data ../shared/eval "
                    f"--write {args.write})",
            date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            model=describe_model(model) if model else "none",
            commit=commit(),
            machine=f"{os.cpu_count()} cores, {platform.python_implementation()} "
                    f"{platform.python_version()}, load average {load:.1f} when it started "
                    "(other work shares the machine)",
            seconds=watch.steps,
            dialogue_step=dialogues.GUARD_STEP,
        )  # fmt: skip
        Path(args.write).write_text(document(rows, info))
        print(f"wrote {args.write}")
    if not args.guard:
        return 0
    missing = [r.name for r in rows if r.skipped and r.skipped.startswith("no trained model")]
    if missing and ci:
        print("evaluation failed: rows skipped under CI=true: " + ", ".join(missing))
        return 1
    misses = thresholds.misses(rows)
    for miss in misses:
        print(f"FAIL {miss}")
    print("evaluation guard: " + ("FAIL" if misses else "all figures at or above thresholds"))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
