"""The public extractor: scan a text left to right and keep the longest match at each place."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from nlu.timeparse.calendar import Ctx
from nlu.timeparse.duration import Dur
from nlu.timeparse.grammar import Parser
from nlu.timeparse.lexicon import MONTH_FIRST_LOCALES
from nlu.timeparse.model import Span, Value
from nlu.timeparse.output import duration_entity, time_entity
from nlu.timeparse.resolve import as_week_span, resolve_phrase
from nlu.timeparse.zones import get_zone

logger = logging.getLogger(__name__)

POLICIES = ("next", "business_hours")
DURATION_CUES = frozenset({"for", "lasting", "lasts", "last", "takes", "take", "about"})
DEFAULT_DEADLINE_MS = 50.0


class DeadlineExceededError(Exception):
    """Raised inside the parser when the time budget of one call is spent."""


def day_first(locale: str) -> bool:
    """Numeric dates are day-first except in month-first locales (en_US, bare "en").

    Tenants and channels spell locales many ways: "en_US", "en-US", "en_US.UTF-8", "EN-us".
    """
    tag = locale.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    return tag not in MONTH_FIRST_LOCALES


def make_ctx(reftime: datetime, tz: str, locale: str, policy: str) -> Ctx:
    """Reference context in the caller's zone; a naive reftime is read as wall time there."""
    if policy not in POLICIES:
        raise ValueError(f"bare_hour_policy must be one of {POLICIES}, not {policy!r}")
    zone = get_zone(tz)
    ref = reftime.astimezone(zone) if reftime.tzinfo is not None else reftime
    return Ctx(ref.replace(tzinfo=None), zone, policy, day_first(locale))


def _scan(parser: Parser, want_time: bool, want_duration: bool, deadline: float,
          ) -> list[tuple[int, int, str, Any]]:  # fmt: skip
    """Leftmost-longest matches as (start token, end token, kind, meaning)."""
    found: list[tuple[int, int, str, Any]] = []
    i = 0
    n = parser.n
    inner = parser.inner
    while i < n:
        if time.perf_counter() > deadline:
            raise DeadlineExceededError
        if inner[i] or not parser.can_start(i):
            i += 1
            continue
        best: tuple[int, int, str, Any] | None = None
        if want_time:
            best_parts = 0
            for j, ph in parser.phrase(i):
                if inner[j] or parser.blocked(i, j) or (best is not None and (j < best[1] or (
                        j == best[1] and ph.parts >= best_parts))):  # fmt: skip
                    continue
                res = resolve_phrase(parser.ctx, ph)
                if res is not None:
                    best, best_parts = (i, j, "time", res), ph.parts
        if want_duration:
            # after "for"/"lasting", an equally long duration reading wins ("for 1h30")
            dur_context = parser.w(i - 1) in DURATION_CUES
            for j, dur in parser.duration(i):
                if inner[j] or parser.blocked(i, j) or (best is not None and (j < best[1] or (
                        j == best[1] and not (dur_context and best[2] == "time")))):  # fmt: skip
                    continue
                best = (i, j, "duration", dur)
        if best is None:
            i += 1
            continue
        found.append(best)
        i = best[1]
    return found


def extract(
    text: str,
    reftime: datetime,
    tz: str,
    locale: str = "en_GB",
    dims: tuple[str, ...] = ("time", "duration"),
    *,
    bare_hour_policy: str = "next",
    deadline_ms: float = DEFAULT_DEADLINE_MS,
) -> list[dict[str, Any]]:
    """Extract time and duration entities (the architecture's entity contract).

    ``bare_hour_policy`` is "next" (Duckling) or "business_hours"; see POLICY.md.  When the
    deadline passes, the entities found so far are returned and a warning is logged.
    """
    ctx = make_ctx(reftime, tz, locale, bare_hour_policy)
    start = time.perf_counter()
    deadline = start + deadline_ms / 1000.0
    parser = Parser(text, ctx)
    want_time, want_dur = "time" in dims, "duration" in dims
    matches: list[tuple[int, int, str, Any]] = []
    try:
        matches = _scan(parser, want_time, want_dur, deadline)
    except DeadlineExceededError:
        logger.warning("time extraction deadline of %.0f ms hit for a %d-char text",
                       deadline_ms, len(text))  # fmt: skip
    entities: list[dict[str, Any]] = []
    toks = parser.toks
    for i, j, kind, meaning in matches:
        s, e = toks[i].start, toks[j - 1].end
        if kind == "time" and isinstance(meaning, (Value, Span)):
            entities.append(time_entity(ctx, text, s, e, as_week_span(ctx, meaning)))
        elif kind == "duration" and isinstance(meaning, Dur):
            entities.append(duration_entity(text, s, e, meaning))
    return entities


def warm_up() -> None:
    """Import-time and first-call costs paid once at start-up, not on the first user."""
    ref = datetime(2020, 1, 6, 9, 0)
    extract("next friday at 10am for an hour and a half, or tomorrow 3-4pm", ref,
            "Europe/London", deadline_ms=2000)  # fmt: skip
