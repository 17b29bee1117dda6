"""Command line: ``python -m nlu.timeparse --reftime ISO --tz ZONE "text"`` or ``--jsonl FILE``.

With --jsonl, each input line is a JSON object with "text", "reftime" (ISO 8601) and
optionally "tz" and "locale" (Duckling corpus lines work as they are); the zone defaults to
the reftime's own offset.  One line ``{"entities": [...]}`` is printed per input line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from nlu.timeparse.extract import DEFAULT_DEADLINE_MS, POLICIES, extract, warm_up
from nlu.timeparse.zones import offset_name


def _ref(value: str | None) -> datetime:
    if not value:
        return datetime.now().astimezone()
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _zone(tz: str | None, ref: datetime) -> str:
    if tz:
        return tz
    return offset_name(ref.utcoffset()) if ref.tzinfo is not None else "UTC"


def _line(raw: str, args: argparse.Namespace) -> dict[str, Any]:
    try:
        item = json.loads(raw)
        ref = _ref(item.get("reftime") or args.reftime)
        ents = extract(str(item["text"]), ref, _zone(item.get("tz") or args.tz, ref),
                       locale=item.get("locale") or args.locale, dims=tuple(args.dims),
                       bare_hour_policy=args.bare_hour_policy,
                       deadline_ms=args.deadline_ms)  # fmt: skip
        return {"entities": ents}
    except (ValueError, KeyError, TypeError) as exc:
        return {"entities": [], "error": str(exc)}


def _run_lines(stream: Iterable[str], args: argparse.Namespace) -> None:
    for raw in stream:
        if raw.strip():
            print(json.dumps(_line(raw, args)))


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the extractor, print JSON."""
    ap = argparse.ArgumentParser(prog="python -m nlu.timeparse", description=__doc__)
    ap.add_argument("text", nargs="?", help="text to parse (omit with --jsonl)")
    ap.add_argument("--reftime", help="reference time, ISO 8601 (default: now)")
    ap.add_argument("--tz", help="IANA zone or offset like -02:00 (default: reftime offset)")
    ap.add_argument("--locale", default="en_GB")
    ap.add_argument("--dims", nargs="+", default=["time", "duration"])
    ap.add_argument(
        "--bare-hour-policy",
        default="next",
        choices=POLICIES,
        help="reading of 'at 5': next occurrence (Duckling) or business hours",
    )
    ap.add_argument("--deadline-ms", type=float, default=DEFAULT_DEADLINE_MS)
    ap.add_argument("--jsonl", help="file of JSON lines ('-' for stdin)")
    args = ap.parse_args(argv)
    warm_up()
    if args.jsonl:
        if args.jsonl == "-":
            _run_lines(sys.stdin, args)
        else:
            with open(args.jsonl, encoding="utf-8") as fh:
                _run_lines(fh, args)
        return 0
    if args.text is None:
        ap.error("give a text or --jsonl FILE")
    ref = _ref(args.reftime)
    ents = extract(args.text, ref, _zone(args.tz, ref), locale=args.locale,
                   dims=tuple(args.dims), bare_hour_policy=args.bare_hour_policy,
                   deadline_ms=args.deadline_ms)  # fmt: skip
    print(json.dumps(ents, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
