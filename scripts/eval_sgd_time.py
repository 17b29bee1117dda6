"""The time parser alone on SGD's user turns: the date and the time each INFORM turn gives.

Usage: python scripts/eval_sgd_time.py [USER_TURNS_JSONL] [-v]

No model is involved (the assistant's figure, `scripts/evaluate`, also gates on the intent):
every user turn that INFORMs `appointment_time` or `appointment_date` goes through
`nlu.timeparse.extract` at SGD's "today" (2019-03-01 09:00, Europe/London, the assistant's
`business_hours` policy) and its entities are read the way the booking form reads them
(`actions.time_slots.read_time_entity`; a window such as "after 4pm" gives no time).
Correct: equal to SGD's canonical value ("16:30", "2019-03-07").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from actions.time_slots import TimeReading, mentions_day, read_time_entity  # noqa: E402
from actions.time_windows import window_in  # noqa: E402
from nlu.timeparse import extract, warm_up  # noqa: E402

DEFAULT_TURNS = ROOT.parent / "shared" / "eval" / "sgd_services" / "user_turns.jsonl"
ZONE = "Europe/London"
TODAY = datetime(2019, 3, 1, 9, 0)
SLOTS = ("appointment_time", "appointment_date")


def form_values(entities: list[dict[str, Any]], zone: ZoneInfo) -> tuple[str | None, str | None]:
    """(time, date) the booking form would take from one message's entities: the most
    specific reading; a time said apart from its day takes the day named elsewhere."""
    times = [e for e in entities if e.get("entity") == "time"]
    usable: list[tuple[TimeReading, Mapping[str, Any]]] = []
    for entity in times:
        reading = read_time_entity(entity, zone)
        if reading is not None:
            usable.append((reading, entity))
    if not usable:
        return None, None
    best, ent = max(usable, key=lambda p: (p[0].start is not None, len(str(p[1].get("text")))))
    start = None
    if best.start is not None and window_in(entities, zone) is None:
        start = best.start.strftime("%H:%M")
    day = best.day.isoformat() if best.day else None
    if best.start is not None and not mentions_day(str(ent.get("text"))):
        apart = [r.day for r, e in usable
                 if r.day and r.start is None and mentions_day(str(e.get("text")))]  # fmt: skip
        day = apart[0].isoformat() if apart else None
    return start, day


def score(turns: Iterable[Mapping[str, Any]]) -> dict[str, tuple[int, int, list[str]]]:
    """Per slot: (correct, total, failure lines)."""
    zone = ZoneInfo(ZONE)
    result: dict[str, tuple[int, int, list[str]]] = {s: (0, 0, []) for s in SLOTS}
    for turn in turns:
        informs = [a for a in turn.get("actions", [])
                   if a.get("act") == "INFORM" and a.get("slot") in SLOTS]  # fmt: skip
        if not informs:
            continue
        text = str(turn["text"])
        ents = extract(text, TODAY, ZONE, locale="en_US", bare_hour_policy="business_hours",
                       deadline_ms=2000)  # fmt: skip
        got_time, got_day = form_values(ents, zone)
        for act in informs:
            slot, want = act["slot"], act["canonical_values"][0]
            got = got_time if slot == "appointment_time" else got_day
            ok, total, fails = result[slot]
            if got != want:
                fails.append(f"{text!r}: want {want}, got {got}")
            result[slot] = (ok + (got == want), total + 1, fails)
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the time and date figures (and the misses with -v)."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("turns", nargs="?", default=str(DEFAULT_TURNS))
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = ap.parse_args(argv)
    path = Path(args.turns)
    if not path.is_file():
        print(f"skip: {path} not found")
        return 0
    warm_up()
    turns = [json.loads(raw) for raw in path.read_text().splitlines() if raw]
    for slot, (ok, total, fails) in score(turns).items():
        print(f"{slot:18s} {ok:4d}/{total:<4d} {100 * ok / max(total, 1):6.1f}%")
        if args.verbose:
            print("\n".join(f"  {line}" for line in fails))
    return 0


if __name__ == "__main__":
    sys.exit(main())
