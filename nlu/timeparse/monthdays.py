"""Days counted inside a month or from now: "first tuesday of october", "last day of May",
"20th of next month", "3 fridays from now", "next week", "March", fixed-date holidays."""

from __future__ import annotations

from datetime import date, timedelta

from nlu.timeparse.calendar import add_grain, at, last_day, truncate, valid_date
from nlu.timeparse.dayatoms import DayAtoms
from nlu.timeparse.lexicon import AMBIGUOUS_MONTHS, FIXED_HOLIDAYS, MONTHS, WEEKDAY_PLURALS
from nlu.timeparse.model import DateSpec
from nlu.timeparse.numbers import integer, ordinal
from nlu.timeparse.resolve import resolve_day

_HOLIDAY_STARTS = frozenset(words[0] for words, _ in FIXED_HOLIDAYS)


class MonthDayRules(DayAtoms):
    """Days named by their place in a month or a count from today, and whole periods."""

    def date(self, i: int) -> list[tuple[int, DateSpec, bool]]:
        """Every day reading at i (defined by the day layer)."""
        raise NotImplementedError

    def _month_ref(self, i: int) -> list[tuple[int, int, int | None]]:
        """A month for "first monday of ...": (end, month, year or None)."""
        out: list[tuple[int, int, int | None]] = []
        today = self.ctx.today
        for j, m in self.month(i):
            out.append((j, m, None))
            for j2, y in self.year(j):
                out.append((j2, m, y))
        k = i + (1 if self.w(i) == "the" else 0)
        rel = self.w(k)
        if rel == "month" and k > i:
            out.append((k + 1, today.month, today.year))
        offsets = {"this": 0, "current": 0, "next": 1, "following": 1, "coming": 1,
                   "last": -1, "previous": -1, "past": -1}  # fmt: skip
        if rel in offsets and self.w(k + 1) == "month":
            mm = today.month - 1 + offsets[rel]
            out.append((k + 2, mm % 12 + 1, today.year + mm // 12))
        return out

    def _nth_in_month(self, i: int) -> list[tuple[int, DateSpec]]:
        """ "first tuesday of october", "last day of May", "20th of next month"."""
        out: list[tuple[int, DateSpec]] = []
        today = self.ctx.today
        k = i + (1 if self.w(i) == "the" else 0)
        nths: list[tuple[int, int]] = []  # (end, n) with n<0 for "last"
        w = self.w(k)
        if w == "last":
            nths.append((k + 1, -1))
        for j, v in ordinal(self.toks, k):
            if 1 <= v <= 31:
                if self.w(j) == "last":
                    nths.append((j + 1, -v))
                else:
                    nths.append((j, v))
        for j, n in nths:
            # weekday of month
            for j2, wd in self.weekday(j):
                if self.w(j2) not in ("of", "in"):
                    continue
                for j3, m, y in self._month_ref(j2 + 1):
                    d = nth_weekday(today, m, y, wd, n)
                    if d is not None:
                        out.append((j3, DateSpec(fixed=d)))
            # day of month
            if self.w(j) == "day" and self.w(j + 1) in ("of", "in"):
                for j3, m, y in self._month_ref(j + 2):
                    nd = nth_day(today, m, y, n)
                    if nd is not None:
                        out.append((j3, DateSpec(fixed=nd)))
        # "20 of next month", "20th of the current month"
        for j, dn, _ in self.day_number(k):
            j2 = j + (1 if self.w(j) == "day" else 0)
            if self.w(j2) != "of":
                continue
            for j3, m, y in self._month_ref(j2 + 1):
                if y is None or self.w(j2 + 1) in MONTHS:
                    continue
                dd = valid_date(y, m, dn)
                if dd is not None:
                    out.append((j3, DateSpec(fixed=dd)))
        return out

    def _period(self, i: int) -> list[tuple[int, DateSpec]]:
        """ "next week", "this month", "last year", "the week after next", "March"."""
        out: list[tuple[int, DateSpec]] = []
        today = self.ctx.today
        ref = at(today)
        k = i + (1 if self.w(i) == "the" else 0)
        rel = self.w(k)
        unit = self.w(k + 1)
        offsets = {"this": 0, "current": 0, "next": 1, "coming": 1, "following": 1,
                   "last": -1, "previous": -1, "past": -1}  # fmt: skip
        if rel in offsets and unit in ("week", "month", "year", "quarter"):
            n = offsets[rel]
            start = add_grain(truncate(ref, unit), unit, n)
            out.append((k + 2, DateSpec(fixed=start.date(), grain=unit)))
        if rel == "week" and self.w(k + 1) == "of":
            # "the week of the 14th", "week of March 3": the week that day falls in
            for j, spec, _ in self.date(k + 2):
                res = resolve_day(self.ctx, spec) if spec.grain == "day" else None
                if res is not None:
                    monday = truncate(res.dt, "week")
                    out.append((j, DateSpec(fixed=monday.date(), grain="week")))
        if rel == "week" and self.words(k + 1, "after", "next") and k > i:
            start = add_grain(truncate(ref, "week"), "week", 2)
            out.append((k + 3, DateSpec(fixed=start.date(), grain="week")))
        for j, m in self.month(i):
            if self.w(i) in AMBIGUOUS_MONTHS:
                continue
            out.append((j, DateSpec(month=m, grain="month")))
            for j2, y in self.year(j):
                out.append((j2, DateSpec(month=m, year=y, grain="month")))
        return out

    def _nth_weekday_rel(self, i: int) -> list[tuple[int, DateSpec]]:
        """ "3 fridays from now", "2 thursdays ago"."""
        out: list[tuple[int, DateSpec]] = []
        today = self.ctx.today
        for j, n in integer(self.toks, i):
            wd = WEEKDAY_PLURALS.get(self.w(j))
            if wd is None or not 1 <= n <= 60:
                continue
            if self.words(j + 1, "from", "now") or self.w(j + 1) == "hence":
                end = j + 3 if self.w(j + 1) == "from" else j + 2
                d = today + timedelta(days=1)
                while d.weekday() != wd:
                    d += timedelta(days=1)
                out.append((end, DateSpec(fixed=d + timedelta(days=7 * (n - 1)))))
            elif self.w(j + 1) in ("ago", "back"):
                d = today - timedelta(days=1)
                while d.weekday() != wd:
                    d -= timedelta(days=1)
                out.append((j + 2, DateSpec(fixed=d - timedelta(days=7 * (n - 1)))))
        # "upcoming two days", "2 upcoming days"
        if self.w(i) == "upcoming":
            for j, n in integer(self.toks, i + 1):
                if self.w(j) in ("day", "days"):
                    out.append((j + 1, DateSpec(fixed=today + timedelta(days=n))))
        for j, n in integer(self.toks, i):
            if self.w(j) == "upcoming" and self.w(j + 1) in ("day", "days"):
                out.append((j + 2, DateSpec(fixed=today + timedelta(days=n))))
        return out

    def _month_end(self, i: int) -> list[tuple[int, DateSpec]]:
        """ "eom", "end of the month", "end of next month", "end of April", "eoy", "end of
        the year": the last day (a booking needs a day; "by the end of..." is a deadline)."""
        out: list[tuple[int, DateSpec]] = []
        today = self.ctx.today
        w = self.w(i)
        if w == "eom":
            out.append(
                (i + 1, DateSpec(fixed=today.replace(day=last_day(today.year, today.month))))
            )
        elif w == "eoy":
            out.append((i + 1, DateSpec(fixed=today.replace(month=12, day=31))))
        k = i + (1 if w == "the" else 0)
        if not self.words(k, "end", "of"):
            return out
        k += 2
        for j, m, y in self._month_ref(k):
            yy = y if y is not None else today.year + (1 if m < today.month else 0)
            out.append((j, DateSpec(fixed=valid_date(yy, m, last_day(yy, m)))))
        k2 = k + (1 if self.w(k) in ("the", "this", "current") else 0)
        if self.w(k2) == "year":
            out.append((k2 + 1, DateSpec(fixed=today.replace(month=12, day=31))))
        elif self.words(k, "next", "year"):
            out.append((k + 2, DateSpec(fixed=date(today.year + 1, 12, 31))))
        return out

    def _holiday(self, i: int) -> list[tuple[int, DateSpec]]:
        """Fixed-date holidays people book around ("christmas eve", "new year's day")."""
        out: list[tuple[int, DateSpec]] = []
        if self.w(i) not in _HOLIDAY_STARTS:
            return out
        for words, (month, day) in FIXED_HOLIDAYS:
            j = self.words(i, *words)
            if j is not None:
                out.append((j, DateSpec(month=month, day=day)))
        return out


def nth_weekday(today: date, m: int, y: int | None, wd: int, n: int) -> date | None:
    """n-th (or n-th last when negative) weekday of a month; next such month if no year."""
    years = [y] if y is not None else [today.year, today.year + 1]
    for yy in years:
        if n > 0:
            d = valid_date(yy, m, 1)
            if d is None:
                return None
            d += timedelta(days=(wd - d.weekday()) % 7 + 7 * (n - 1))
        else:
            d = valid_date(yy, m, last_day(yy, m))
            if d is None:
                return None
            d -= timedelta(days=(d.weekday() - wd) % 7 + 7 * (-n - 1))
        if d.month != m:
            continue
        if y is None and d < today:
            continue
        return d
    return None


def nth_day(today: date, m: int, y: int | None, n: int) -> date | None:
    """n-th (or n-th last) day of a month."""
    years = [y] if y is not None else [today.year, today.year + 1]
    for yy in years:
        ld = last_day(yy, m)
        day = n if n > 0 else ld + 1 + n
        d = valid_date(yy, m, day)
        if d is None:
            return None
        if y is None and d < today:
            continue
        return d
    return None
