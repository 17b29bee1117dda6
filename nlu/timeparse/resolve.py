"""Pin the grammar's pieces (day, time of day, part of day, range) to the calendar.

All rules of the ambiguity policy (see POLICY.md) live here, so they apply everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from nlu.timeparse.calendar import Ctx, add_grain, at, finer, truncate, valid_date
from nlu.timeparse.model import DateSpec, Open, Phrase, Pod, Range, Span, Tod, Value

RECENT_DAYS = 31  # how far back a weekday with a date may point ("Sunday, Feb 10")
_PM_MIDNIGHT_PODS = frozenset({"evening", "night", "late night", "late evening"})


def tod_hours(tod: Tod, policy: str) -> list[int]:
    """Candidate 24-hour readings of a time of day, in the order they are tried."""
    if not tod.ambiguous:
        return [tod.hour]
    h = tod.hour % 12
    if policy == "business_hours":
        if tod.hour == 12:
            return [12]
        return [h + 12] if 1 <= h <= 7 else [h]
    return [h, h + 12]


def future_ok(ctx: Ctx, dt: datetime, grain: str) -> bool:
    """True when dt has not passed yet.

    Duckling ("next") keeps a clock time while the hour it falls in is still running
    ("at 4:23" said at 4:30 is 4:23 today); the business policy is strict at the grain.
    """
    slot = grain
    if ctx.policy == "next" and grain in ("second", "minute"):
        slot = "hour"
    return add_grain(truncate(dt, slot), slot) > ctx.ref


def day_candidates(spec: DateSpec, ctx: Ctx) -> Iterator[date]:
    """Days matching a day description, nearest future first (past only as a last resort)."""
    if spec.fixed is not None:
        yield spec.fixed
        return
    found = False
    for d in _matching_days(spec, ctx):
        found = True
        yield d
    if not found and spec.weekday is not None and (spec.day is not None):
        # "Wednesday 5th December" when the 5th is a Saturday: trust the date
        yield from _matching_days(replace(spec, weekday=None), ctx)


def _matching_days(spec: DateSpec, ctx: Ctx) -> Iterator[date]:
    """Days meeting every constraint of a non-fixed day description."""
    today = ctx.today
    wd = spec.weekday
    first = today + timedelta(days=1) if spec.not_today else today
    if spec.month is not None and spec.day is not None:
        if spec.year is not None:
            d = valid_date(spec.year, spec.month, spec.day)
            if d is not None:
                yield d
            return
        # with a weekday, only the next two occurrences of the date count ("Fri, Jul 18"
        # may be next year's), then the one just gone ("Sunday, Feb 10" said on Feb 12)
        seen = 0
        for y in range(today.year, today.year + 9):
            d = valid_date(y, spec.month, spec.day)
            if d is None or d < first:
                continue
            seen += 1
            if wd is None or d.weekday() == wd:
                yield d
            if wd is not None and seen >= 2:
                break
        if wd is not None:
            # the one just gone, when it is recent ("Sunday, Feb 10" said on Feb 12); a date
            # months back is a slip of the weekday, and the next such date wins
            for y in range(today.year, today.year - 2, -1):
                d = valid_date(y, spec.month, spec.day)
                if d is not None and d < first:
                    if d.weekday() == wd and (today - d).days <= RECENT_DAYS:
                        yield d
                    break
        return
    if spec.day is not None:
        y, m = today.year, today.month
        if spec.year is not None:
            y = spec.year
        # with a weekday ("Friday 18", "Thu 15th"), the next such day on that weekday within
        # a year; past that the weekday is taken as a slip and the day of the month wins
        for k in range(13 if wd is not None else 24):
            mm = m - 1 + k
            d = valid_date(y + mm // 12, mm % 12 + 1, spec.day)
            if d is not None and d >= first and (wd is None or d.weekday() == wd):
                yield d
        return
    if wd is not None:
        for k in range(0, 21):
            d = first + timedelta(days=k)
            if d.weekday() == wd:
                yield d
        return


def month_value(spec: DateSpec, ctx: Ctx) -> Value | None:
    """A month said on its own ("March", "March 2015"): the next such month."""
    if spec.month is None:
        return None
    y = spec.year
    if y is None:
        y = ctx.today.year if spec.month >= ctx.today.month else ctx.today.year + 1
    return Value(datetime(y, spec.month, 1), "month")


def _tz_convert(ctx: Ctx, dt: datetime, offset: int | None) -> datetime:
    """Move a wall time said in an explicit zone into the caller's zone."""
    if offset is None:
        return dt
    aware = dt.replace(tzinfo=timezone(timedelta(minutes=offset)))
    return aware.astimezone(ctx.zone).replace(tzinfo=None)


def place_tod(ctx: Ctx, tod: Tod, spec: DateSpec | None) -> tuple[datetime, bool] | None:
    """First instant matching a time of day on the described day(s).

    A fixed day ("tomorrow") takes its first reading that is still ahead, else its last;
    open descriptions roll forward to the next matching day.  Returns the instant and
    whether am/pm was assumed by policy.
    """
    hours = tod_hours(tod, ctx.policy)
    if spec is None:
        days: Iterator[date] = (ctx.today + timedelta(days=k) for k in range(3))
    else:
        days = day_candidates(spec, ctx)
    # a day given in full ("Nov 13 2016", "tomorrow") is that day even when it has passed
    fixed = spec is not None and (spec.fixed is not None or None not in (
        spec.year, spec.month, spec.day))  # fmt: skip
    last: datetime | None = None
    for n, d in enumerate(days):
        if n > 400:
            break
        for h in hours:
            dt = at(d + timedelta(days=tod.fixed_day_offset), h, tod.minute, tod.second)
            dt = _tz_convert(ctx, dt, tod.tz)
            if future_ok(ctx, dt, tod.grain):
                return dt, tod.ambiguous
            last = dt
        if fixed:
            break
    if last is not None and fixed:
        if tod.ambiguous and last.date() < ctx.today:
            # a day wholly past ("Sunday Mar 11 2016 after 9"): no reading is ahead, so the
            # future says nothing; the hour is read as a business day's ("9" is 09:00)
            h = tod_hours(tod, "business_hours")[0]
            dt = _tz_convert(ctx, at(last.date(), h, tod.minute, tod.second), tod.tz)
            return dt, True
        return last, tod.ambiguous
    return None


def resolve_day(ctx: Ctx, spec: DateSpec) -> Value | None:
    """A day (or week/month/year) on its own."""
    if spec.grain == "month" and spec.fixed is None:
        return month_value(spec, ctx)
    if spec.grain == "year" and spec.fixed is None and spec.year is not None:
        return Value(datetime(spec.year, 1, 1), "year")
    for d in day_candidates(spec, ctx):
        return Value(at(d), spec.grain)
    return None


def _pod_with_tod(pod: Pod, tod: Tod) -> Tod:
    """A part of the day settles am/pm ("tonight at 8", "this morning at 10")."""
    if not tod.ambiguous:
        return tod
    if tod.hour == 12 and pod.name in _PM_MIDNIGHT_PODS:
        return replace(tod, hour=0, ambiguous=False, fixed_day_offset=1)
    return tod.with_meridiem(pod.meridiem)


def resolve_pod(ctx: Ctx, pod: Pod, spec: DateSpec | None) -> Span | None:
    """A part of the day on its own becomes an hour-grain interval."""
    day_spec = spec or pod.day
    if day_spec is None:
        d = ctx.today
        if at(d, pod.end) <= ctx.ref:
            d += timedelta(days=1)
    else:
        d0 = next(iter(day_candidates(day_spec, ctx)), None)
        if d0 is None:
            return None
        d = d0
    return Span(at(d, pod.start), at(d, pod.end), "hour", pod=pod.name)


def resolve_range(ctx: Ctx, rng: Range, spec: DateSpec | None, pod: Pod | None,
                  tz: int | None) -> Span | None:  # fmt: skip
    """An interval between two times of day; the end is made exclusive at the grain."""
    s, e = rng.start, rng.end
    if tz is not None:
        s = s if s.tz is not None else replace(s, tz=tz)
        e = e if e.tz is not None else replace(e, tz=tz)
    if pod is not None:
        s, e = _pod_with_tod(pod, s), _pod_with_tod(pod, e)
    if s.ambiguous and not e.ambiguous:
        mer = "pm" if e.hour >= 12 else "am"
        cand = s.with_meridiem(mer)
        if (cand.hour, cand.minute, cand.second) > (e.hour, e.minute, e.second):
            cand = s.with_meridiem("am")
        s = cand
    day_spec = spec if spec is not None else (pod.day if pod is not None else None)
    placed = place_tod(ctx, s, day_spec)
    if placed is None:
        return None
    start, assumed = placed
    end: datetime | None = None
    for h in tod_hours(e, "next"):
        for extra in (0, 1):
            cand_end = at(start.date() + timedelta(days=extra + e.fixed_day_offset), h,
                          e.minute, e.second)  # fmt: skip
            cand_end = _tz_convert(ctx, cand_end, e.tz)
            if cand_end > start and (end is None or cand_end < end):
                end = cand_end
    if end is None:
        return None
    grain = finer(s.grain, e.grain)
    return Span(start, add_grain(end, grain), grain, assumed)


def resolve_open(ctx: Ctx, opn: Open, spec: DateSpec | None, pod: Pod | None,
                 tz: int | None) -> Span | None:  # fmt: skip
    """ "Saturday before noon", "after 4pm", "tomorrow morning before 10": the bound placed
    like a time of day on the day said; the other side stays open (None)."""
    tod = opn.tod if tz is None or opn.tod.tz is not None else replace(opn.tod, tz=tz)
    if pod is not None:
        tod = _pod_with_tod(pod, tod)
        if spec is None and pod.day is not None and not pod.day.is_today:
            spec = pod.day
    placed = place_tod(ctx, tod, spec)
    if placed is None:
        return None
    dt, assumed = placed
    if opn.after:
        return Span(dt, None, tod.grain, assumed)
    return Span(None, dt, tod.grain, assumed)


def as_week_span(ctx: Ctx, res: Value | Span) -> Value | Span:
    """A week said on its own ("next week", "the week of the 14th") becomes the days it
    covers, Monday to Sunday at day grain, for agenda and availability questions; the week
    under way ("this week") runs from today."""
    if not isinstance(res, Value) or res.grain != "week":
        return res
    start, end = res.dt, add_grain(res.dt, "week")
    today = at(ctx.today)
    if start <= today < end:
        start = today
    return Span(start, end, "day", period="week")


def resolve_phrase(ctx: Ctx, ph: Phrase) -> Value | Span | None:
    """Combine the collected pieces of one expression into a value or an interval."""
    if ph.resolved is not None:
        return ph.resolved
    spec, tod, pod = ph.date, ph.tod, ph.pod
    if ph.inst is not None:
        inst = ph.inst
        if tod is None and ph.rng is None:
            return Value(inst.dt, inst.grain)
        if not inst.date_like:
            return None
        spec = DateSpec(fixed=inst.dt.date())
    if ph.rng is not None:
        return resolve_range(ctx, ph.rng, spec, pod, ph.tz)
    if ph.opn is not None:
        return resolve_open(ctx, ph.opn, spec, pod, ph.tz)
    if tod is not None:
        if ph.tz is not None and tod.tz is None:
            tod = replace(tod, tz=ph.tz)
        if pod is not None:
            tod = _pod_with_tod(pod, tod)
            if spec is None and pod.day is not None and not pod.day.is_today:
                spec = pod.day
        placed = place_tod(ctx, tod, spec)
        if placed is None:
            return None
        return Value(placed[0], tod.grain, placed[1])
    if pod is not None:
        return resolve_pod(ctx, pod, spec)
    if spec is not None:
        return resolve_day(ctx, spec)
    return None
