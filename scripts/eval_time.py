"""Score the embedded time extractor on Duckling's and ctparse's English corpora.

Usage: python scripts/eval_time.py [CORPUS_DIR] [--ctparse DIR] [--baseline dateparser]
       [--policy next]

`score_duckling` and `score_ctparse` are pure functions (a corpus directory in, a `TimeScore`
out) so that the evaluation harness can import them; the CLI prints their tables and writes
the failures to var/.  Which entity is compared: the time (or duration) entity covering the
most characters of the phrase; a corpus line is one expression, so the widest match is the
one meant.  The ctparse rules are in `scripts/eval_ctparse.py`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlu.timeparse import extract, warm_up  # noqa: E402
from nlu.timeparse.rules import STARTERS  # noqa: E402
from nlu.timeparse.spelling import corrections  # noqa: E402
from nlu.timeparse.tokens import tokenize  # noqa: E402
from nlu.timeparse.zones import offset_name  # noqa: E402
from scripts import eval_ctparse  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "duckling"
DEFAULT_CTPARSE = ROOT.parent / "shared" / "eval" / "ctparse"
FAILURES = ROOT / "var" / "eval_time_failures.jsonl"
CTPARSE_FAILURES = ROOT / "var" / "eval_ctparse_failures.jsonl"

SUBDAY = ("hour", "minute", "second")
DUCKLING_CATEGORIES = ("day", "hour/minute", "intervals", "durations", "negatives")
DUCKLING_TIME_CATEGORIES = ("day", "hour/minute", "intervals")

Run = Callable[[dict[str, Any]], list[dict[str, Any]]]


@dataclass(frozen=True)
class TimeScore:
    """One corpus's score: ``by_category`` maps a category to (correct, total) and sums to
    (correct, total); ``unscored`` holds categories reported beside it but not counted."""

    correct: int
    total: int
    by_category: dict[str, tuple[int, int]]
    failures: list[dict[str, Any]]
    median_ms: float
    p95_ms: float = 0.0
    unscored: dict[str, tuple[int, int]] = field(default_factory=dict)
    corrected: list[tuple[str, str]] = field(default_factory=list)  # (typed, read as)

    @property
    def accuracy(self) -> float:
        """Share of correct lines (0.0 for an empty corpus)."""
        return self.correct / self.total if self.total else 0.0

    def share(self, categories: Iterable[str]) -> tuple[int, int]:
        """(correct, total) over some categories, e.g. Duckling's time subset."""
        pairs = [self.by_category.get(c, (0, 0)) for c in categories]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)


# ---------------------------------------------------------------------- Duckling
def category(line: dict[str, Any]) -> str | None:
    """Booking-relevant category of a Duckling line, or None when it is not scored.

    Holiday lines carry `expected.holiday` and are left out, as are latent lines, as the
    corpus README defines.
    """
    exp = line["expected"]
    if exp is None:
        return "negatives"
    if line.get("dim") == "duration":
        return "durations"
    if line.get("latent") or exp.get("holiday"):
        return None
    if exp["type"] == "value" and exp["grain"] == "day":
        return "day"
    if exp["type"] == "value" and exp["grain"] in SUBDAY:
        return "hour/minute"
    if exp["type"] == "interval" and exp["grain"] in SUBDAY:
        return "intervals"
    return None


def _key(iso: str | None, grain: str) -> str | None:
    if iso is None:
        return None
    dt = datetime.fromisoformat(iso)
    return dt.strftime("%Y-%m-%d") if grain in ("day", "week", "month", "year") else \
        dt.strftime("%Y-%m-%dT%H:%M")  # fmt: skip


def widest(entities: list[dict[str, Any]], dim: str) -> dict[str, Any] | None:
    """The entity of a dimension covering the most characters."""
    cands = [e for e in entities if e["entity"] == dim]
    return max(cands, key=lambda e: e["end"] - e["start"], default=None)


def judge(line: dict[str, Any], entities: list[dict[str, Any]]) -> bool:
    """Correctness of one Duckling line: the start instant at the expected grain (the date
    for day grain; date, hour and minute below that) and, for intervals, the exclusive end;
    a negative line is correct when nothing at all is extracted."""
    exp = line["expected"]
    if exp is None:
        return not entities
    if line.get("dim") == "duration":
        ent = widest(entities, "duration")
        return ent is not None and ent["value"] == exp["normalized_seconds"]
    ent = widest(entities, "time")
    if ent is None:
        return False
    info = ent["additional_info"]
    grain = exp["grain"]
    if exp["type"] == "value":
        return _key(ent["value"], grain) == _key(exp["value"], grain)
    if info.get("type") != "interval":
        return False
    lo, hi = exp["interval"]
    return _key(info["from"], grain) == _key(lo, grain) and _key(info["to"], grain) == _key(
        hi, grain
    )


# ---------------------------------------------------------------------- runners
def embedded(policy: str) -> Run:
    """The project's extractor with each line's reftime, offset zone and locale."""

    def run(line: dict[str, Any]) -> list[dict[str, Any]]:
        ref = datetime.fromisoformat(line["reftime"])
        return extract(line["text"], ref, offset_name(ref.utcoffset()),
                       locale=line.get("locale", "en"), bare_hour_policy=policy,
                       deadline_ms=1000)  # fmt: skip

    return run


def dateparser_baseline() -> Run:
    """Plain dateparser.search_dates (languages=["en"]), future preference: the baseline."""
    from dateparser.search import search_dates

    def run(line: dict[str, Any]) -> list[dict[str, Any]]:
        ref = datetime.fromisoformat(line["reftime"])
        settings = {"RELATIVE_BASE": ref.replace(tzinfo=None), "PREFER_DATES_FROM": "future",
                    "RETURN_AS_TIMEZONE_AWARE": False}  # fmt: skip
        found = search_dates(line["text"], languages=["en"], settings=settings) or []
        out = []
        for text, dt in found:
            start = line["text"].find(text)
            value = dt.replace(tzinfo=ref.tzinfo).isoformat(timespec="milliseconds")
            out.append({"entity": "time", "start": start, "end": start + len(text),
                        "text": text, "value": value,
                        "additional_info": {"type": "value", "value": value}})  # fmt: skip
        return out

    return run


def _score(lines: list[dict[str, Any]], run: Run,
           categorise: Callable[[dict[str, Any]], str | None],
           is_correct: Callable[[dict[str, Any], list[dict[str, Any]]], bool],
           unscored: Callable[[dict[str, Any]], str | None] = lambda _: None,
           ) -> TimeScore:  # fmt: skip
    """Run every line (timed), judge the categorised ones and collect the failures."""
    if lines:
        run(lines[0])  # first-call costs are not a parse's latency
    ok: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    side_ok: dict[str, int] = defaultdict(int)
    side_total: dict[str, int] = defaultdict(int)
    times: list[float] = []
    failures: list[dict[str, Any]] = []
    fixed: list[tuple[str, str]] = []
    for line in lines:
        t0 = time.perf_counter()
        entities = run(line)
        times.append((time.perf_counter() - t0) * 1000)
        cat = categorise(line)
        side = unscored(line)
        if cat is None and side is None:
            continue
        good = is_correct(line, entities)
        if cat is None and side is not None:
            side_total[side] += 1
            side_ok[side] += good
            continue
        assert cat is not None
        fixed.extend(corrections(line["text"], tokenize(line["text"]), STARTERS))
        total[cat] += 1
        ok[cat] += good
        if not good:
            failures.append({"category": cat, "text": line["text"],
                             "reftime": line["reftime"], "expected": line["expected"],
                             "got": [{k: e.get(k) for k in ("text", "value", "additional_info")}
                                     for e in entities]})  # fmt: skip
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))] if times else 0.0
    return TimeScore(
        correct=sum(ok.values()),
        total=sum(total.values()),
        by_category={c: (ok[c], total[c]) for c in total},
        failures=failures,
        median_ms=statistics.median(times) if times else 0.0,
        p95_ms=p95,
        unscored={c: (side_ok[c], side_total[c]) for c in side_total},
        corrected=fixed,
    )


def _read_jsonl(files: list[Path]) -> list[dict[str, Any]]:
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(f"corpus file(s) not found: {', '.join(missing)}")
    return [json.loads(raw) for f in files for raw in f.read_text().splitlines() if raw]


def score_duckling(corpus_dir: Path, policy: str = "next", run: Run | None = None,
                   ) -> TimeScore:  # fmt: skip
    """Booking-relevant subset of Duckling's corpus (`category`), judged by `judge`.

    ``correct``/``total`` count every scored line (time, durations and negatives); the
    time subset is ``score.share(DUCKLING_TIME_CATEGORIES)``.  Raises FileNotFoundError
    when `time_en.jsonl` or `duration_en.jsonl` is absent.
    """
    corpus = Path(corpus_dir)
    lines = _read_jsonl([corpus / "time_en.jsonl", corpus / "duration_en.jsonl"])
    return _score(lines, run or embedded(policy), category, judge)


def score_ctparse(corpus_dir: Path, policy: str = "next", run: Run | None = None,
                  ) -> TimeScore:  # fmt: skip
    """ctparse's English corpus (`corpus.jsonl`): every `lang == "en"` line is scored (all
    are booking material: days, times, ranges, parts of day); the `neutral` lines (digits
    and separators only, read with ctparse's own conventions) are in ``unscored``.  The
    rules of a correct line are `eval_ctparse.judge`.  Raises FileNotFoundError when the
    corpus is absent.
    """
    lines = _read_jsonl([Path(corpus_dir) / "corpus.jsonl"])
    us = [{**ln, "locale": "en_US"} for ln in lines]  # ctparse reads "5/8" month-first
    return _score(us, run or embedded(policy), eval_ctparse.category, eval_ctparse.judge,
                  eval_ctparse.unscored)  # fmt: skip


# ---------------------------------------------------------------------- CLI
def _pct(ok: int, total: int) -> str:
    return f"{ok:4d}/{total:<4d} {100 * ok / max(total, 1):6.1f}%"


def print_score(name: str, score: TimeScore, order: Iterable[str] = ()) -> None:
    """The per-category table, totals and latency of one score."""
    print(f"{name}:")
    cats = list(order) + sorted(c for c in score.by_category if c not in order)
    for cat in cats:
        if cat in score.by_category:
            print(f"  {cat:16s} {_pct(*score.by_category[cat])}")
    for cat, (ok, total) in sorted(score.unscored.items()):
        print(f"  ({cat}, not counted) {_pct(ok, total)}")
    shown = ", ".join(f"{a}->{b}" for a, b in score.corrected[:8])
    print(f"  corrections      {len(score.corrected)}" + (f" ({shown})" if shown else ""))


def _write_failures(path: Path, failures: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        for f in failures:
            fh.write(json.dumps(f) + "\n")
    try:
        shown = path.relative_to(ROOT)
    except ValueError:
        shown = path
    print(f"  failures -> {shown} ({len(failures)})")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluations and print the per-category tables."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    ap.add_argument("--ctparse", default=str(DEFAULT_CTPARSE),
                    help="directory of ctparse's corpus.jsonl ('' to skip)")  # fmt: skip
    ap.add_argument("--baseline", choices=["dateparser"], help="score a baseline instead")
    ap.add_argument("--policy", default="next", choices=["next", "business_hours"])
    args = ap.parse_args(argv)
    run = dateparser_baseline() if args.baseline else embedded(args.policy)
    if not args.baseline:
        warm_up()
    name = "dateparser baseline" if args.baseline else f"embedded ({args.policy})"
    try:
        duck = score_duckling(Path(args.corpus), args.policy, run)
    except FileNotFoundError:
        print(f"skip: Duckling corpus not found in {args.corpus}")
    else:
        print_score(f"Duckling, {name}", duck, DUCKLING_CATEGORIES)
        print(f"  time subset      {_pct(*duck.share(DUCKLING_TIME_CATEGORIES))}")
        print(f"  overall          {_pct(duck.correct, duck.total)}")
        print(f"  latency ms       median {duck.median_ms:.2f}  p95 {duck.p95_ms:.2f}")
        _write_failures(FAILURES, duck.failures)
    if not args.ctparse:
        return 0
    try:
        ctp = score_ctparse(Path(args.ctparse), args.policy, run)
    except FileNotFoundError:
        print(f"skip: ctparse corpus not found in {args.ctparse}")
        return 0
    print_score(f"ctparse, {name}", ctp, eval_ctparse.CATEGORIES)
    print(f"  total (en)       {_pct(ctp.correct, ctp.total)}")
    print(f"  latency ms       median {ctp.median_ms:.2f}  p95 {ctp.p95_ms:.2f}")
    _write_failures(CTPARSE_FAILURES, ctp.failures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
