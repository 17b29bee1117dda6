"""Relative rules: "in 2 hours", "3 days ago", "next 3 hours", "by 5pm", weekends."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from nlu.timeparse.calendar import (
    add_grain,
    at,
    finer,
    grain_below,
    shift,
    truncate,
    valid_date,
)
from nlu.timeparse.dayparts import PartOfDayRules
from nlu.timeparse.duration import Dur, quantity, unit_word
from nlu.timeparse.duration import duration as parse_duration
from nlu.timeparse.lexicon import (
    APPROX_WORDS,
)
from nlu.timeparse.model import DateSpec, Inst, Span, Tod, Value
from nlu.timeparse.monthdays import nth_weekday
from nlu.timeparse.resolve import resolve_phrase
from nlu.timeparse.rules import (
    NOW_WORDS,
)


class RelativeRules(PartOfDayRules):
    """Instants relative to now and ready-made intervals."""

    # ------------------------------------------------------------------ relative
    def duration(self, i: int) -> list[tuple[int, Dur]]:
        """Durations starting at i (memoised)."""
        return self.memo("dur", i, lambda k: parse_duration(self.toks, k))

    def _shifted(self, base: Any, dur: Dur, sign: int) -> Any:
        dt = base
        for n, unit in dur.parts:
            dt = shift(self.ctx, dt, sign * n, unit)
        return dt

    def inst(self, i: int) -> list[tuple[int, Inst]]:
        """Instants relative to now: "in 2 hours", "3 days ago", "a week from monday"."""
        return self.memo("inst", i, self._inst)

    def _inst(self, i: int) -> list[tuple[int, Inst]]:
        out: list[tuple[int, Inst]] = []
        ctx = self.ctx
        w = self.w(i)
        if w in NOW_WORDS or self.words(i, "right", "now") or self.words(i, "just", "now") or \
                self.words(i, "at", "the", "moment") or self.words(i, "right", "away"):  # fmt: skip
            j = i + 1 if w in NOW_WORDS else (i + 3 if w == "at" else i + 2)
            out.append((j, Inst(ctx.ref.replace(microsecond=0), "second")))
        if w == "in":
            k = i + 1
            if self.w(k) in APPROX_WORDS | {"just", "only", "another"}:
                k += 1
            for j, dur in self.duration(k):
                out.append((j, self._in(dur)))
            if w == "in":
                nb = self.w(k)
                if (
                    nb.isdigit()
                    and 1 <= int(nb) < 60
                    and (k + 1 >= self.n or not self.w(k + 1)[0].isalnum())
                    and not self.inner[k + 1]
                ):
                    out.append((k + 1, self._in(Dur(((float(nb), "minute"),)))))
        for j, dur in self.duration(i):
            if self.words(j, "from", "now") or self.w(j) in ("hence", "later"):
                end = j + 2 if self.w(j) == "from" else j + 1
                out.append((end, self._in(dur)))
            elif self.w(j) == "ago" or self.words(j, "before", "now"):
                end = j + 1 if self.w(j) == "ago" else j + 2
                grain = grain_below(dur.normalized()[1])
                dt = truncate(self._shifted(ctx.ref, dur, -1), grain)
                out.append((end, Inst(dt, grain, _date_like(dur))))
            else:
                out.extend(self._anchored(j, dur))
        return out

    def _anchored(self, j: int, dur: Dur) -> list[tuple[int, Inst]]:
        """ "<duration> from/after/before <time>"; British "a week on Monday", "a week today"."""
        out: list[tuple[int, Inst]] = []
        ctx = self.ctx
        w = self.w(j)
        weeks_or_days = dur.unit in ("week", "day")
        if w in ("from", "after", "before") or (w == "on" and weeks_or_days):
            start = j + 1
        elif w in ("today", "tomorrow") and weeks_or_days:
            start = j
        else:
            return out
        sign = -1 if w == "before" else 1
        for k, ph in self.phrase(start):
            res = resolve_phrase(ctx, ph)
            if not isinstance(res, Value):
                continue
            grain = finer(res.grain, dur.normalized()[1])
            grain = res.grain if res.grain in ("second", "minute") else grain
            if res.grain in ("day", "week", "month", "year"):
                grain = res.grain if _date_like(dur) else grain
            dt = truncate(self._shifted(res.dt, dur, sign), grain)
            out.append((k, Inst(dt, grain, _date_like(dur))))
        return out

    def _in(self, dur: Dur) -> Inst:
        grain = grain_below(dur.normalized()[1])
        if dur.unit in ("week", "month", "quarter", "year"):
            grain = "day" if dur.unit != "year" else "month"
        dt = truncate(self._shifted(self.ctx.ref, dur, 1), grain)
        return Inst(dt, grain, _date_like(dur))

    # ------------------------------------------------------------------ ready intervals
    def spans(self, i: int) -> list[tuple[int, Value | Span]]:
        """Expressions that are intervals on their own ("next 3 hours", "by 2pm", weekends)."""
        return self.memo("spans", i, self._spans)

    def _spans(self, i: int) -> list[tuple[int, Value | Span]]:
        out: list[tuple[int, Value | Span]] = []
        ctx = self.ctx
        ref = ctx.ref.replace(microsecond=0)
        w = self.w(i)
        k = i + (1 if w == "the" else 0)
        rel = self.w(k)
        # next/last N units
        if rel in ("next", "last", "past", "previous", "coming", "upcoming"):
            for j, q in quantity(self.toks, k + 1):
                if q != int(q) or self.w(k + 1) in ("a", "an"):
                    continue
                for j2, unit in unit_word(self.toks, j, after_number=False):
                    if unit == "fortnight":
                        continue
                    n = int(q)
                    if rel in ("next", "coming", "upcoming"):
                        start = add_grain(truncate(ref, unit), unit)
                        out.append((j2, Span(start, add_grain(start, unit, n), unit)))
                    else:
                        end = truncate(ref, unit)
                        out.append((j2, Span(add_grain(end, unit, -n), end, unit)))
        for j, span in self._iso_interval(i):
            out.append((j, span))
        # weekends
        for j, span in self._weekend(i):
            out.append((j, span))
        out.extend(self._open_interval(i))
        # by <time> / by the end of <period>
        if w == "by" and ctx.policy == "business_hours":
            out.extend(self._by_as_said(i + 1))
        elif w == "by":
            for j, end in self._deadline(i + 1):
                out.append((j, Span(ref, end, "second")))
        if w == "within":
            for j, dur in self.duration(i + 1):
                inst = self._in(dur)
                end = (
                    truncate(inst.dt, "day")
                    if dur.unit not in ("second", "minute", "hour")
                    else inst.dt
                )
                out.append((j, Span(ref, end, "second")))
        return out

    def _open_interval(self, i: int) -> list[tuple[int, Span]]:
        """ "after 5pm", "since monday" (no end); "before noon", "until 3" (no start)."""
        out: list[tuple[int, Span]] = []
        w = self.w(i)
        after = w in ("after", "since") or any(
            self.words(i, *p) for p in (("later", "than"), ("no", "earlier", "than"))
        )
        before = w in ("before", "until", "till", "til", "untill") or any(
            self.words(i, *p) for p in (("earlier", "than"), ("no", "later", "than"))
        )
        if not (after or before):
            return out
        k = i + 1
        while self.w(k) in ("than", "later", "earlier", "no"):
            k += 1
        for j, ph in self.phrase(k):
            res = resolve_phrase(self.ctx, ph)
            if isinstance(res, Value):
                span = Span(res.dt, None, res.grain) if after else Span(None, res.dt, res.grain)
                out.append((j, replace(span, meridiem_assumed=res.meridiem_assumed)))
        return out

    def _iso_interval(self, i: int) -> list[tuple[int, Span]]:
        """ "2015-03-28 17:00:00/2015-03-29 21:00:00" (ISO 8601 start/end)."""
        out: list[tuple[int, Span]] = []
        for j, d1 in self._numeric_date(i):
            for j2, t1, _ in self.tod_base(j):
                if t1.grain == "hour" or self.w(j2) != "/" or not self.g(j2):
                    continue
                for j3, d2 in self._numeric_date(j2 + 1):
                    for j4, t2, _ in self.tod_base(j3):
                        if t2.grain == "hour":
                            continue
                        a = _spec_dt(d1, t1)
                        b = _spec_dt(d2, t2)
                        if a is None or b is None or b <= a:
                            continue
                        grain = finer(t1.grain, t2.grain)
                        out.append((j4, Span(a, add_grain(b, grain), grain)))
        return out

    def _by_as_said(self, i: int) -> list[tuple[int, Value | Span]]:
        """ "By 14:00", "by next Monday at 2:30", "by Friday", "by tomorrow afternoon" in a
        booking: what is said after "by" (the latest the customer takes, so what to book),
        and the last day of a period that ends ("by eod" today, "by the end of the month")."""
        out: list[tuple[int, Value | Span]] = []
        for j, end in self._period_ends(i):
            out.append((j, Value(truncate(end - timedelta(days=1), "day"), "day")))
        for j, ph in self.phrase(i):
            res = resolve_phrase(self.ctx, ph)
            if res is not None:
                out.append((j, res))
        return out

    def _deadline(self, i: int) -> list[tuple[int, Any]]:
        """Ends of "by <time>" (Duckling's reading: an interval from now to there)."""
        out: list[tuple[int, Any]] = self._period_ends(i)
        for j, ph in self.phrase(i):
            res = resolve_phrase(self.ctx, ph)
            if isinstance(res, Value):
                out.append((j, res.dt))
            elif isinstance(res, Span) and res.start is not None:
                out.append((j, res.start))
        return out

    def _period_ends(self, i: int) -> list[tuple[int, Any]]:
        """ "eod", "eom", "the end of the month", "end of next week": where the period ends."""
        out: list[tuple[int, Any]] = []
        ref = self.ctx.ref
        w = self.w(i)
        abbrev = {"eod": "day", "eow": "week", "eom": "month", "eoy": "year"}
        k = i + (1 if w == "the" else 0)
        if self.w(k) in abbrev:
            unit = abbrev[self.w(k)]
            out.append((k + 1, add_grain(truncate(ref, unit), unit)))
        if self.words(k, "end", "of"):
            k2 = k + 2
            k3 = k2 + (1 if self.w(k2) == "the" else 0)
            rel = self.w(k3)
            if rel in ("day", "week", "month", "year"):
                out.append((k3 + 1, add_grain(truncate(ref, rel), rel)))
            offsets = {"this": 0, "next": 1, "the": 0}
            if rel in offsets and self.w(k3 + 1) in ("day", "week", "month", "year"):
                unit = self.w(k3 + 1)
                out.append((k3 + 2, add_grain(truncate(ref, unit), unit, 1 + offsets[rel])))
        return out

    def _weekend(self, i: int) -> list[tuple[int, Span]]:
        out: list[tuple[int, Span]] = []
        today = self.ctx.today
        k = i
        mod = ""
        if self.words(i, "this", "past"):
            mod, k = "last", i + 2
        elif self.w(i) in ("this", "next", "last", "the", "coming", "upcoming"):
            mod, k = self.w(i), i + 1
        j = None
        if self.w(k) in ("weekend", "wkend", "weekends"):
            j = k + 1
        elif self.words(k, "week", "-", "end") or self.words(k, "week", "end"):
            j = k + (3 if self.w(k + 1) == "-" else 2)
        if j is None:
            return out
        friday = today + timedelta(days=(4 - today.weekday()) % 7)
        if today.weekday() >= 5:  # already in the weekend
            friday = today - timedelta(days=today.weekday() - 4)
        if mod == "next":
            friday += timedelta(days=7)
        elif mod == "last":
            friday -= timedelta(days=7)
            if today.weekday() >= 5:
                pass
        if mod == "last" and self.w(j) in ("of", "in"):
            for j2, m, y in self._month_ref(j + 1):
                yy = y if y is not None else (today.year if m >= today.month else
                                              today.year + 1)  # fmt: skip
                d = nth_weekday(today, m, yy, 4, -1)
                if d is not None:
                    out.append((j2, Span(at(d, 18), at(d + timedelta(days=3)), "hour")))
            return out
        out.append((j, Span(at(friday, 18), at(friday + timedelta(days=3)), "hour")))
        return out


def _spec_dt(spec: DateSpec, tod: Tod) -> Any:
    """Wall time of a fully given date and a 24-hour clock time, or None."""
    if spec.year is None or spec.month is None or spec.day is None:
        return None
    d = valid_date(spec.year, spec.month, spec.day)
    return None if d is None else at(d, tod.hour, tod.minute, tod.second)


def _date_like(dur: Dur) -> bool:
    return dur.unit in ("day", "week", "month", "quarter", "year", "fortnight")
