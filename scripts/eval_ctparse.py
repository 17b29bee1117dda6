"""How a line of ctparse's English corpus is categorised and judged (see its README).

Kept apart from `eval_time.py` because ctparse's conventions differ from Duckling's: an
inclusive interval end, its own part-of-day table, latent times already dated.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from nlu.timeparse.lexicon import PARTS_OF_DAY

CATEGORIES = ("day", "hour/minute", "day intervals", "time intervals", "parts of day",
              "open intervals")  # fmt: skip
_DAY_GRAINS = ("day", "week", "month", "year")
_MINUTE = timedelta(minutes=1)


def category(line: dict[str, Any]) -> str | None:
    """Category of a scored line: every `lang == "en"` line is booking material."""
    if line.get("lang") != "en":
        return None
    return _kind(line["expected"], line.get("pod"))


def unscored(line: dict[str, Any]) -> str | None:
    """The language-neutral lines ("5/8", "20h"), reported beside the score, not in it:
    they follow ctparse's own reading of bare digits ("0810" is 08:10), which the
    project's policy refuses (a bare number is never a time)."""
    return "neutral" if line.get("lang") == "neutral" else None


def _kind(exp: dict[str, Any], pod: str | None) -> str:
    if exp["type"] == "value":
        return "day" if exp["grain"] == "day" else "hour/minute"
    if exp["end"] is None:
        return "open intervals"
    if pod:
        return "parts of day"
    return "day intervals" if exp["grain"] == "day" else "time intervals"


def _wall(iso: str | None) -> datetime | None:
    """Wall-clock time of an ISO string (ctparse's +00:00 is a convention only)."""
    return None if iso is None else datetime.fromisoformat(iso).replace(tzinfo=None)


def _same(a: datetime | None, b: datetime | None, grain: str) -> bool:
    """Equal at the expected grain: the date for day grains, else to the minute."""
    if a is None or b is None:
        return False
    if grain in _DAY_GRAINS:
        return a.date() == b.date()
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def pod_hours(pod: str) -> set[tuple[int, int]]:
    """Our (start, end) hours for ctparse's part-of-day name ("lateevening", "forenoon"):
    the README allows comparing the date and the part of day instead of ctparse's table."""
    name = pod.replace("very", "")
    aliases = {"forenoon": ["late morning", "morning"], "noon": ["lunch"]}
    names = list(aliases.get(name, []))
    for prefix in ("early", "late"):
        if name.startswith(prefix) and name != prefix:
            rest = name.removeprefix(prefix)
            names.extend((f"{prefix} {rest}", rest))
    names.append(name)
    return {PARTS_OF_DAY[n][:2] for n in names if n in PARTS_OF_DAY}


def _widest(entities: list[dict[str, Any]], dim: str) -> dict[str, Any] | None:
    cands = [e for e in entities if e.get("entity") == dim]
    return max(cands, key=lambda e: e["end"] - e["start"], default=None)


def _bounds(entities: list[dict[str, Any]]) -> tuple[datetime | None, datetime | None,
                                                     datetime | None, bool]:  # fmt: skip
    """(from, exclusive to, inclusive end, is_interval) of the widest time entity; a time of
    day followed by a duration ("today 15:00 for one hour") is read as the interval the
    booking form makes of the two entities (the entity contract keeps them apart)."""
    ent = _widest(entities, "time")
    if ent is None:
        return None, None, None, False
    info = ent.get("additional_info") or {}
    if info.get("type") == "interval":
        return _wall(info.get("from")), _wall(info.get("to")), _wall(info.get("end")), True
    start = _wall(ent.get("value"))
    dur = _widest([e for e in entities if e["start"] >= ent["end"]], "duration")
    if start is not None and dur is not None and info.get("grain") in ("hour", "minute"):
        end = start + timedelta(seconds=float(dur["value"]))
        return start, end, end, True
    return start, None, None, False


def judge(line: dict[str, Any], entities: list[dict[str, Any]]) -> bool:
    """A value: the widest time entity's value at the expected grain.  An interval: its
    start at the grain, and its end either exclusive (`to` equal to `end`) or inclusive to
    the minute (`end` minus one minute); an open interval (`end: null`) has no `to`.  A
    part of day may instead match as the date plus our own hours for that part of day."""
    exp = line["expected"]
    grain = exp["grain"]
    want_from, want_to = _wall(exp["start"]), _wall(exp["end"])
    got_from, got_to, got_end, is_interval = _bounds(entities)
    if exp["type"] == "value":
        return _same(got_from, want_from, grain)
    if not is_interval or got_from is None or want_from is None:
        return False
    pod = line.get("pod")
    if want_to is None:
        if got_to is not None:
            return False
        if _same(got_from, want_from, grain):
            return True
        starts = {h for h, _ in pod_hours(pod)} if pod else set()
        return got_from.date() == want_from.date() and got_from.hour in starts
    if _same(got_from, want_from, grain) and (
        _same(got_to, want_to, grain) or _same(got_end, want_to - _MINUTE, grain)
    ):
        return True
    if pod and got_to is not None and got_from.date() == want_from.date():
        span = (got_from.hour, (got_to - datetime.combine(got_from.date(), datetime.min.time()))
                // timedelta(hours=1))  # fmt: skip
        return span in pod_hours(pod)
    return False
