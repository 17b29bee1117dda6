"""Score the embedded time extractor on the Duckling English corpus (booking-relevant subset).

Usage: python scripts/eval_time.py [CORPUS_DIR] [--baseline dateparser] [--policy next]

Which entity is compared: the time (or duration) entity covering the most characters of the
phrase; a corpus line is one expression, so the widest match is the one meant.
A case is correct when the start instant equals the expected one at the expected grain
(the date for day grain; date, hour and minute below that) and, for intervals, the
exclusive end matches too.  Negative lines are correct when nothing at all is extracted.
Holiday lines carry `expected.holiday` and are left out, as the corpus README defines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.timeparse import extract, warm_up  # noqa: E402
from nlu.timeparse.zones import offset_name  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "duckling"
FAILURES = ROOT / "var" / "eval_time_failures.jsonl"

SUBDAY = ("hour", "minute", "second")


def category(line: dict[str, Any]) -> str | None:
    """Booking-relevant category of a corpus line, or None when it is not scored."""
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
    """Correctness of one line per the corpus README."""
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


def embedded(policy: str) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    """The project's extractor with each line's reftime, offset zone and locale."""

    def run(line: dict[str, Any]) -> list[dict[str, Any]]:
        ref = datetime.fromisoformat(line["reftime"])
        return extract(line["text"], ref, offset_name(ref.utcoffset()),
                       locale=line.get("locale", "en"), bare_hour_policy=policy,
                       deadline_ms=1000)  # fmt: skip

    return run


def dateparser_baseline() -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
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


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the per-category table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    ap.add_argument("--baseline", choices=["dateparser"], help="score a baseline instead")
    ap.add_argument("--policy", default="next", choices=["next", "business_hours"])
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    files = [corpus / "time_en.jsonl", corpus / "duration_en.jsonl"]
    if not all(f.is_file() for f in files):
        print(f"skip: Duckling corpus not found in {corpus}")
        return 0
    lines = [json.loads(raw) for f in files for raw in f.read_text().splitlines() if raw]
    run = dateparser_baseline() if args.baseline else embedded(args.policy)
    if not args.baseline:
        warm_up()
    run(lines[0])
    ok: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    times: list[float] = []
    failures = []
    for line in lines:
        cat = category(line)
        t0 = time.perf_counter()
        entities = run(line)
        times.append((time.perf_counter() - t0) * 1000)
        if cat is None:
            continue
        total[cat] += 1
        if judge(line, entities):
            ok[cat] += 1
        else:
            failures.append({"category": cat, "text": line["text"],
                             "reftime": line["reftime"], "expected": line["expected"],
                             "got": [{k: e.get(k) for k in ("text", "value", "additional_info")}
                                     for e in entities]})  # fmt: skip
    name = "dateparser baseline" if args.baseline else f"embedded ({args.policy})"
    print(f"{name}: {len(lines)} lines")
    for cat in ("day", "hour/minute", "intervals", "durations", "negatives"):
        if total[cat]:
            print(f"  {cat:12s} {ok[cat]:4d}/{total[cat]:<4d} {100 * ok[cat] / total[cat]:6.1f}%")
    time_cats = ("day", "hour/minute", "intervals")
    t_ok, t_all = sum(ok[c] for c in time_cats), sum(total[c] for c in time_cats)
    a_ok, a_all = sum(ok.values()), sum(total.values())
    print(f"  time subset  {t_ok:4d}/{t_all:<4d} {100 * t_ok / max(t_all, 1):6.1f}%")
    print(f"  overall      {a_ok:4d}/{a_all:<4d} {100 * a_ok / max(a_all, 1):6.1f}%")
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"  latency ms   median {statistics.median(times):.2f}  p95 {p95:.2f}")
    FAILURES.parent.mkdir(parents=True, exist_ok=True)
    with FAILURES.open("w") as fh:
        for f in failures:
            fh.write(json.dumps(f) + "\n")
    print(f"  failures -> {FAILURES.relative_to(ROOT)} ({len(failures)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
