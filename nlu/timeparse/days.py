"""Day rules: "March 3rd", "2/15", "next friday", "the first tuesday of october"."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from nlu.timeparse.calendar import (
    add_grain,
    at,
    last_day,
    truncate,
    valid_date,
)
from nlu.timeparse.clock import ClockRules
from nlu.timeparse.lexicon import (
    AMBIGUOUS_MONTHS,
    FIXED_HOLIDAYS,
    MONTHS,
    WEEKDAY_PLURALS,
    WEEKDAYS,
)
from nlu.timeparse.model import DateSpec
from nlu.timeparse.numbers import integer, ordinal, word_number
from nlu.timeparse.rules import (
    TODAY_WORDS,
    TOMORROW_WORDS,
)


class DayRules(ClockRules):
    """Calendar days: names, numeric dates, weekdays, ordinals, months and weeks."""

    # ------------------------------------------------------------------ days
    def month(self, i: int) -> list[tuple[int, int]]:
        """A month name or abbreviation ("Sep", "sept.")."""
        w = self.w(i)
        if w not in MONTHS:
            return []
        j = i + 1
        if self.w(j) == "." and self.g(j):
            j += 1
        return [(j, MONTHS[w])]

    def weekday(self, i: int) -> list[tuple[int, int]]:
        """A weekday name or abbreviation ("thu.", "Tues")."""
        w = self.w(i)
        if w not in WEEKDAYS:
            return []
        j = i + 1
        if self.w(j) == "." and self.g(j):
            j += 1
        return [(j, WEEKDAYS[w])]

    def year(self, i: int, short_ok: bool = False) -> list[tuple[int, int]]:
        """A year: 4 digits, "two thousand ten", "'15" and (when allowed) 2 digits."""
        w = self.w(i)
        out: list[tuple[int, int]] = []
        if w.isdigit():
            if len(w) == 4 and 1000 <= int(w) <= 2999:
                out.append((i + 1, int(w)))
            elif len(w) == 2 and short_ok:
                out.append((i + 1, _two_digit_year(int(w))))
        elif w == "'" and self.w(i + 1).isdigit() and len(self.w(i + 1)) == 2:
            out.append((i + 2, _two_digit_year(int(self.w(i + 1)))))
        else:
            for j, v in word_number(self.toks, i):
                if 1000 <= v <= 2999:
                    out.append((j, v))
        return out

    def day_number(self, i: int) -> list[tuple[int, int, bool]]:
        """A day of the month: (end, day, said_as_ordinal)."""
        out: list[tuple[int, int, bool]] = []
        for j, v in ordinal(self.toks, i):
            if 1 <= v <= 31:
                out.append((j, v, True))
        w = self.w(i)
        if w.isdigit() and len(w) <= 2 and 1 <= int(w) <= 31:
            out.append((i + 1, int(w), False))
        elif not w.isdigit():
            for j, v in word_number(self.toks, i):
                if 1 <= v <= 31:
                    out.append((j, v, False))
        return out

    def _with_year(self, j: int, spec: DateSpec, short_ok: bool) -> list[tuple[int, DateSpec]]:
        out = [(j, spec)]
        k = j + 1 if self.w(j) == "," else j
        for k2, y in self.year(k, short_ok=short_ok and k == j):
            out.append((k2, replace(spec, year=y)))
        if self.w(k) == "of" and self.w(k + 1) in ("next", "this", "last") and \
                self.w(k + 2) == "year":  # fmt: skip
            delta = {"next": 1, "this": 0, "last": -1}[self.w(k + 1)]
            out.append((k + 3, replace(spec, year=self.ctx.today.year + delta)))
        return out

    def _month_day(self, i: int) -> list[tuple[int, DateSpec]]:
        """ "March 3rd 2015", "the 15th of February", "15 feb", "Feb13", "14april 2015"."""
        out: list[tuple[int, DateSpec]] = []
        for j, m in self.month(i):
            k = j + (1 if self.w(j) == "the" else 0)
            for k2, d, _ in self.day_number(k):
                if self.w(k2) in (":", "h") and self.g(k2):
                    continue
                spec = DateSpec(month=m, day=d)
                out.extend(self._with_year(k2, spec, short_ok=False))
        k = i + (1 if self.w(i) == "the" else 0)
        for j, d, is_ord in self.day_number(k):
            if k > i and not is_ord:
                continue
            j2 = j
            if self.w(j2) == "day" and self.w(j2 + 1) == "of":
                j2 += 2
            elif self.w(j2) == "of" or (self.w(j2) in ("-", "/") and self.g(j2)):
                j2 += 1
            for j3, m in self.month(j2):
                if j2 > j and self.w(j2 - 1) in ("-", "/"):
                    if self.w(j3) == self.w(j2 - 1) and self.g(j3):
                        for j4, y in self.year(j3 + 1, short_ok=True):
                            out.append((j4, DateSpec(month=m, day=d, year=y)))
                    continue
                out.extend(self._with_year(j3, DateSpec(month=m, day=d), short_ok=True))
        return out

    def _numeric_date(self, i: int) -> list[tuple[int, DateSpec]]:
        """ "2/15", "10/31/1974", "31.10.74", "2015-03-03", "2 - 15" (order per locale)."""
        out: list[tuple[int, DateSpec]] = []
        a = self.w(i)
        if not a.isdigit():
            return out
        sep = self.w(i + 1)
        if sep not in ("/", "-", "."):
            return out
        glued = self.g(i + 1) and self.g(i + 2)
        b = self.w(i + 2)
        if not b.isdigit():
            return out
        if len(a) == 4:  # ISO-like year first
            if not glued or self.w(i + 3) != sep or not self.g(i + 3) or not self.g(i + 4):
                return out
            c = self.w(i + 4)
            if c.isdigit():
                d = valid_date(int(a), int(b), int(c))
                if d is not None:
                    out.append((i + 5, DateSpec(year=d.year, month=d.month, day=d.day)))
            return out
        if len(a) > 2 or len(b) > 2:
            return out
        x, y = int(a), int(b)
        orders = [(y, x), (x, y)] if self.ctx.day_first else [(x, y), (y, x)]
        # with a year
        if glued and self.w(i + 3) == sep and self.g(i + 3) and self.g(i + 4):
            c = self.w(i + 4)
            if c.isdigit() and len(c) in (2, 4):
                yr = int(c) if len(c) == 4 else _two_digit_year(int(c))
                for mo, da in orders:
                    d = valid_date(yr, mo, da)
                    if d is not None:
                        out.append((i + 5, DateSpec(year=yr, month=mo, day=da)))
                        break
            return out
        if sep == "." or (not glued and sep != "/" and sep != "-"):
            return out
        if self.w(i + 3) == sep:
            return out
        for mo, da in orders:
            if valid_date(2000, mo, da) is not None:
                out.append((i + 3, DateSpec(month=mo, day=da)))
                break
        return out

    def _weekday_date(self, i: int) -> list[tuple[int, DateSpec]]:
        """Weekdays with this/next/last/after next/of next week."""
        out: list[tuple[int, DateSpec]] = []
        ctx = self.ctx
        today = ctx.today
        week_start = today - timedelta(days=today.weekday())
        w = self.w(i)
        mod_end = i
        mod = ""
        if self.words(i, "this", "coming") or self.words(i, "this", "upcoming"):
            mod, mod_end = "coming", i + 2
        elif w in ("this", "coming", "upcoming", "next", "last", "past", "previous"):
            mod, mod_end = w, i + 1
        elif w == "the" and self.w(i + 1) in ("coming", "following", "next"):
            mod, mod_end = "coming" if self.w(i + 1) != "next" else "next", i + 2
        for j, wd in self.weekday(mod_end):
            if mod in ("next",):
                d = week_start + timedelta(days=7 + wd)
                out.append((j, DateSpec(fixed=d)))
            elif mod in ("last", "past", "previous"):
                d = week_start + timedelta(days=-7 + wd)
                out.append((j, DateSpec(fixed=d)))
            elif mod == "this":
                out.append((j, DateSpec(weekday=wd)))
            elif mod in ("coming", "upcoming"):
                out.append((j, DateSpec(weekday=wd, not_today=True)))
            if mod:
                continue
            spec = DateSpec(weekday=wd, not_today=True)
            out.append((j, spec))
            # "friday after next", "wednesday next week", "monday of this week"
            if self.words(j, "after", "next"):
                first = today + timedelta(days=1)
                while first.weekday() != wd:
                    first += timedelta(days=1)
                out.append((j + 2, DateSpec(fixed=first + timedelta(days=7))))
            k = j
            if self.w(k) in ("of", "from", "in"):
                k += 1
            k += 1 if self.w(k) == "the" else 0
            rel = self.w(k)
            if rel in ("this", "next", "last", "previous", "coming", "following") and \
                    self.w(k + 1) == "week":  # fmt: skip
                delta = {"this": 0, "next": 7, "coming": 7, "following": 7, "last": -7,
                         "previous": -7}[rel]  # fmt: skip
                out.append((k + 2, DateSpec(fixed=week_start + timedelta(days=delta + wd))))
        # "last week's sunday", "next week's friday"
        if w in ("this", "next", "last") and self.w(i + 1) in ("week's", "weeks"):
            delta = {"this": 0, "next": 7, "last": -7}[w]
            for j, wd in self.weekday(i + 2):
                out.append((j, DateSpec(fixed=week_start + timedelta(days=delta + wd))))
        return out

    def _relative_day(self, i: int) -> list[tuple[int, DateSpec]]:
        """today, tomorrow, yesterday, the day after tomorrow..."""
        today = self.ctx.today
        out: list[tuple[int, DateSpec]] = []
        k = i + (1 if self.w(i) == "the" else 0)
        w = self.w(k)
        if w in TODAY_WORDS and k == i:
            out.append((i + 1, DateSpec(fixed=today, is_today=True)))
        elif w in TOMORROW_WORDS and k == i:
            out.append((i + 1, DateSpec(fixed=today + timedelta(days=1))))
        elif w == "yesterday" and k == i:
            out.append((i + 1, DateSpec(fixed=today - timedelta(days=1))))
        elif w == "day":
            if self.words(k + 1, "after", "tomorrow"):
                out.append((k + 3, DateSpec(fixed=today + timedelta(days=2))))
            elif self.words(k + 1, "before", "yesterday"):
                out.append((k + 3, DateSpec(fixed=today - timedelta(days=2))))
        elif w == "overmorrow":
            out.append((k + 1, DateSpec(fixed=today + timedelta(days=2))))
        return out

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
                    d = _nth_weekday(today, m, y, wd, n)
                    if d is not None:
                        out.append((j3, DateSpec(fixed=d)))
            # day of month
            if self.w(j) == "day" and self.w(j + 1) in ("of", "in"):
                for j3, m, y in self._month_ref(j + 2):
                    d = _nth_day(today, m, y, n)
                    if d is not None:
                        out.append((j3, DateSpec(fixed=d)))
        # "20 of next month", "20th of the current month"
        for j, d, _ in self.day_number(k):
            j2 = j + (1 if self.w(j) == "day" else 0)
            if self.w(j2) != "of":
                continue
            for j3, m, y in self._month_ref(j2 + 1):
                if y is None or self.w(j2 + 1) in MONTHS:
                    continue
                dd = valid_date(y, m, d)
                if dd is not None:
                    out.append((j3, DateSpec(fixed=dd)))
        return out

    def _ordinal_day(self, i: int) -> list[tuple[int, DateSpec, bool]]:
        """ "the 15th", "the first", "15th": a day of some month."""
        out: list[tuple[int, DateSpec, bool]] = []
        if self.w(i) == "the":
            for j, v in ordinal(self.toks, i + 1):
                if 1 <= v <= 31:
                    out.append((j, DateSpec(day=v), False))
        elif self.w(i).isdigit():
            for j, v in ordinal(self.toks, i):
                if 1 <= v <= 31:
                    out.append((j, DateSpec(day=v), True))
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

    def _holiday(self, i: int) -> list[tuple[int, DateSpec]]:
        """Fixed-date holidays people book around ("christmas eve", "new year's day")."""
        out: list[tuple[int, DateSpec]] = []
        for words, (month, day) in FIXED_HOLIDAYS:
            j = self.words(i, *words)
            if j is not None:
                out.append((j, DateSpec(month=month, day=day)))
        return out

    def date(self, i: int) -> list[tuple[int, DateSpec, bool]]:
        """All day readings at i as (end, spec, latent)."""
        return self.memo("date", i, self._date)

    def _date(self, i: int) -> list[tuple[int, DateSpec, bool]]:
        out: list[tuple[int, DateSpec, bool]] = []
        for j, s in self._relative_day(i):
            out.append((j, s, False))
        for j, s in self._weekday_date(i):
            out.append((j, s, False))
        for j, s in self._month_day(i):
            out.append((j, s, False))
        for j, s in self._numeric_date(i):
            out.append((j, s, False))
        for j, s in self._nth_in_month(i):
            out.append((j, s, False))
        out.extend(self._ordinal_day(i))
        for j, s in self._period(i):
            out.append((j, s, False))
        for j, s in self._nth_weekday_rel(i):
            out.append((j, s, False))
        for j, s in self._holiday(i):
            out.append((j, s, False))
        return out


def _two_digit_year(y: int) -> int:
    return 2000 + y if y < 50 else 1900 + y


def _nth_weekday(today: Any, m: int, y: int | None, wd: int, n: int) -> Any:
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


def _nth_day(today: Any, m: int, y: int | None, n: int) -> Any:
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
