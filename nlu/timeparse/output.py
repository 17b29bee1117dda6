"""Shape resolved meanings into the Rasa entity dicts of the entity contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nlu.timeparse.calendar import Ctx, add_grain
from nlu.timeparse.duration import Dur
from nlu.timeparse.model import Span, Value

EXTRACTOR = "TimeEntityExtractor"


def iso(ctx: Ctx, wall: datetime) -> str:
    """ISO 8601 with milliseconds and the zone's offset at that wall time."""
    aware = wall.replace(tzinfo=ctx.zone)
    # normalise wall times that fall into a DST gap
    aware = aware.astimezone(ctx.zone)
    return aware.isoformat(timespec="milliseconds")


def time_entity(ctx: Ctx, text: str, start: int, end: int, res: Value | Span) -> dict[str, Any]:
    """Entity for a time value or interval."""
    info: dict[str, Any]
    value: str | None
    if isinstance(res, Value):
        value = iso(ctx, res.dt)
        info = {"type": "value", "grain": res.grain, "value": value,
                "meridiem_assumed": res.meridiem_assumed}  # fmt: skip
    else:
        # an open interval ("before noon") has no start: its value is None, not a guess
        value = iso(ctx, res.start) if res.start is not None else None
        to = iso(ctx, res.end) if res.end is not None else None
        last = iso(ctx, add_grain(res.end, res.grain, -1)) if res.end is not None else None
        # "open": which side is missing ("after 4pm" -> "after", "before noon" -> "before");
        # "part_of_day" ("afternoon") and "period" ("week") say what the interval is
        opened = "after" if res.end is None else ("before" if res.start is None else None)
        info = {"type": "interval", "grain": res.grain, "from": value, "to": to, "end": last,
                "meridiem_assumed": res.meridiem_assumed, "open": opened,
                "part_of_day": res.pod, "period": res.period}  # fmt: skip
    return {"entity": "time", "start": start, "end": end, "text": text[start:end],
            "value": value, "confidence": 1.0, "extractor": EXTRACTOR,
            "additional_info": info}  # fmt: skip


def duration_entity(text: str, start: int, end: int, dur: Dur) -> dict[str, Any]:
    """Entity for a duration; ``value`` is whole seconds."""
    value, unit = dur.normalized()
    seconds = round(dur.seconds)
    return {"entity": "duration", "start": start, "end": end, "text": text[start:end],
            "value": seconds, "confidence": 1.0, "extractor": EXTRACTOR,
            "additional_info": {"value": value, "unit": unit,
                                "normalized": {"value": seconds, "unit": "second"}}}  # fmt: skip
