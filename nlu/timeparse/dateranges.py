"""Ranges of days and of dated times: "Aug 5 - 16", "from Tuesday to Friday", "5 to 16 Aug",
"2018/08/05 until 2018/08/16", "August 5th 8h - August 16th 13h".

A stay, a course or an absence spans days; reading each end alone would give two unrelated
dates ("Friday" would even be the Friday before "Tuesday").  The second end is read from the
first: a bare day number takes the first end's month, a weekday is the first one on or after
the first end.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from nlu.timeparse.calendar import add_grain, at, valid_date
from nlu.timeparse.model import DateSpec, Phrase, Span, Value
from nlu.timeparse.relative import RelativeRules
from nlu.timeparse.resolve import resolve_day, resolve_phrase

_SEPS = frozenset({"-", "\u2013", "\u2014", "to", "till", "until", "untill", "til", "thru",
                   "through"})  # fmt: skip
_OPENERS = (("from",), ("between",), ("starting",), ("starting", "from"), ("beginning",),
            ("starting", "on"), ("from", "the"))  # fmt: skip


class DateRangeRules(RelativeRules):
    """Intervals whose ends are days, or days with times."""

    def plain_phrase(self, i: int) -> list[tuple[int, Phrase]]:
        """Joined pieces at i, without ranges of days (defined by the phrase layer)."""
        raise NotImplementedError

    def date_ranges(self, i: int) -> list[tuple[int, Span]]:
        """Every range of days (or dated times) starting at i."""
        return self.memo("dranges", i, self._date_ranges)

    def _date_ranges(self, i: int) -> list[tuple[int, Span]]:
        out: list[tuple[int, Span]] = []
        if not any(self.w(p) in _SEPS or self.w(p) == "and" for p in range(i + 1, i + 12)):
            return out  # no second end can follow (most texts: keeps the scan fast)
        starts = [(i, "")]
        for words in _OPENERS:
            k = self.words(i, *words)
            if k is not None:
                starts.append((k, words[0]))
        for k, opener in starts:
            for j, first in self._first_end(k):
                sep = self.w(j)
                if sep not in _SEPS and not (sep == "and" and opener == "between"):
                    continue
                if sep == "to" and self.moved[i]:
                    continue  # "move my booking from tuesday to thursday": old day, new day
                out.extend(self._second_end(j + 1, first))
        return out

    def _days_at(self, k: int, second: bool = False) -> list[tuple[int, DateSpec]]:
        """Day readings at k, also past a "the" that is not part of them ("the 2018/08/05");
        the second end may be a bare ordinal ("the 28th - 3rd")."""
        found = [(j, spec) for j, spec, latent in self.date(k)
                 if spec.grain == "day" and (second or not latent)]  # fmt: skip
        if self.w(k) == "the":
            found.extend((j, spec) for j, spec, latent in self.date(k + 1)
                         if spec.grain == "day" and (second or not latent))  # fmt: skip
        return found

    def _first_end(self, k: int) -> list[tuple[int, DateSpec | Value | int]]:
        """The first end: a day description, a dated time, or a bare day number ("5 to 16
        Aug"), whose month comes from the second end."""
        # a latent day is fine here: the second end must follow ("5.8. - 16.8.", "15th - 18th")
        ends: list[tuple[int, DateSpec | Value | int]] = list(self._days_at(k, second=True))
        k += 1 if self.w(k) == "the" else 0
        for j, ph in self.plain_phrase(k):
            res = resolve_phrase(self.ctx, ph)
            if ph.date is not None and ph.tod is not None and isinstance(res, Value):
                ends.append((j, res))
        w = self.w(k)
        if w.isdigit() and len(w) <= 2 and 1 <= int(w) <= 31 and not self.g(k + 1):
            ends.append((k + 1, int(w)))
        elif w.isdigit() and len(w) <= 2 and self.w(k + 1) == "-" and self.g(k + 1):
            ends.append((k + 1, int(w)))  # "15-18 Nov"
        elif w.isdigit() and len(w) <= 2 and self.w(k + 1) == "." and self.g(k + 1) and \
                not self.g(k + 2):  # fmt: skip
            ends.append((k + 2, int(w)))  # "5. - 16.8." (a day-first ordinal's dot)
        return ends

    def _second_end(self, k: int, first: DateSpec | Value | int) -> list[tuple[int, Span]]:
        out: list[tuple[int, Span]] = []
        ctx = self.ctx
        if isinstance(first, Value):  # "August 5th 8h - August 16th 13h"
            for j, ph in self.plain_phrase(k):
                res = resolve_phrase(ctx, ph)
                if ph.date is not None and isinstance(res, Value) and res.dt > first.dt and \
                        res.grain in ("hour", "minute", "second"):  # fmt: skip
                    grain = "minute" if "minute" in (res.grain, first.grain) else res.grain
                    out.append((j, Span(first.dt, add_grain(res.dt, grain), grain)))
            return out
        if isinstance(first, int):  # "5 to 16 Aug": the month and year of the second end
            for j, spec in self._days_at(k, second=True):
                last = resolve_day(ctx, spec)
                if last is None or spec.day is None or first > last.dt.day:
                    continue
                start = valid_date(last.dt.year, last.dt.month, first)
                if start is not None:
                    out.append((j, _days(start, last.dt.date())))
            return out
        head = resolve_day(ctx, first)
        if head is None:
            return out
        start = head.dt.date()
        out.extend(self._with_second_year(k, first, start))
        n = k + (1 if self.w(k) == "the" else 0)
        w = self.w(n)
        if first.day is not None and w.isdigit() and len(w) <= 2 and not (
                self.g(n + 1) and self.w(n + 1)[:1].isalnum()):  # fmt: skip
            end = _day_on_or_after(start, int(w))  # "Aug 5 - 16"
            if end is not None:
                out.append((n + 1, _days(start, end)))
        from_first = replace(ctx, ref=at(start))
        for j, spec in self._days_at(k, second=True):
            # "Tuesday - Friday": the Friday on or after that Tuesday
            tail = resolve_day(from_first, replace(spec, not_today=False))
            if spec.fixed is not None:
                tail = resolve_day(ctx, spec)
            if tail is not None and tail.dt.date() >= start:
                out.append((j, _days(start, tail.dt.date())))
        return out

    def _with_second_year(self, k: int, first: DateSpec, start: date) -> list[tuple[int, Span]]:
        """ "5.8. - 16.8.2018", "Aug 5 - Aug 16 2017": a year said once, at the end, is
        both ends' year."""
        out: list[tuple[int, Span]] = []
        if first.fixed is not None or first.year is not None or first.month is None:
            return out
        for j, spec in self._days_at(k, second=True):
            if spec.year is None:
                continue
            head = resolve_day(self.ctx, replace(first, year=spec.year, weekday=None))
            tail = resolve_day(self.ctx, spec)
            if head is not None and tail is not None and head.dt.date() != start and \
                    head.dt <= tail.dt:  # fmt: skip
                out.append((j, _days(head.dt.date(), tail.dt.date())))
        return out


def _day_on_or_after(start: date, day: int) -> date | None:
    """The day-of-month ``day`` in the month of ``start`` (or the next month) from start on."""
    for months in (0, 1):
        y, m = start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1
        d = valid_date(y, m, day)
        if d is not None and d >= start:
            return d
    return None


def _days(start: date, last: date) -> Span:
    """Whole days from start to last, inclusive (``end`` exclusive, day grain)."""
    return Span(at(start), at(last + timedelta(days=1)), "day")


__all__ = ["DateRangeRules"]
