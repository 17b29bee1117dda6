"""Day rules: "March 3rd", "2/15", "next friday", "tomorrow", "the 15th"."""

from __future__ import annotations

from datetime import timedelta

from nlu.timeparse.calendar import valid_date
from nlu.timeparse.dayatoms import two_digit_year
from nlu.timeparse.lexicon import UNITS, WEEKDAY_PLURALS
from nlu.timeparse.model import DateSpec
from nlu.timeparse.monthdays import MonthDayRules
from nlu.timeparse.numbers import ordinal
from nlu.timeparse.rules import TODAY_WORDS, TOMORROW_WORDS

# After an ordinal these make it a rank, not a day of the month ("the second one").
_COUNTED_NOUNS = frozenset({"one", "ones", "option", "options", "choice", "slot", "slots",
                            "time", "times", "floor", "row", "page", "item", "person", "place",
                            "attempt", "try", "round", "session", "appointment", "visit",
                            "booking", "class", "lesson", "last", "half", "quarter", "grade",
                            "year", "anniversary", "birthday", "edition", "step"})  # fmt: skip


class DayRules(MonthDayRules):
    """Calendar days: names, numeric dates, weekdays, ordinals, months and weeks."""

    # ------------------------------------------------------------------ days
    def _month_day(self, i: int) -> list[tuple[int, DateSpec]]:
        """ "March 3rd 2015", "the 15th of February", "15 feb", "Feb13", "14april 2015"."""
        out: list[tuple[int, DateSpec]] = []
        for j, m in self.month(i):
            k = j + (1 if self.w(j) == "the" else 0)
            if self.w(j) in ("/", "-") and self.g(j) and self.g(j + 1):
                k = j + 1  # "May/8"
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
            elif self.w(j2) == "." and self.g(j2) and not is_ord:
                j2 += 1  # "7. April", "3. Jan. 2018" (the dot of a day-first ordinal)
            for j3, m in self.month(j2):
                if j2 > j and self.w(j2 - 1) in ("-", "/"):
                    if self.w(j3) == self.w(j2 - 1) and self.g(j3):
                        for j4, y in self.year(j3 + 1, short_ok=True):
                            out.append((j4, DateSpec(month=m, day=d, year=y)))
                    else:
                        out.append((j3, DateSpec(month=m, day=d)))  # "8/May"
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
                yr = int(c) if len(c) == 4 else two_digit_year(int(c))
                for mo, da in orders:
                    d = valid_date(yr, mo, da)
                    if d is not None:
                        out.append((i + 5, DateSpec(year=yr, month=mo, day=da)))
                        break
            return out
        if sep == "." or (not glued and sep != "/" and sep != "-"):
            return out
        if self.w(i + 3) == sep or self.w(i + 3) in UNITS:
            return out  # "3-4 hours" is a count of hours, not 3 April
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
        elif w == "following":
            mod, mod_end = "next", i + 1
        elif w == "the" and self.w(i + 1) in ("coming", "following", "next"):
            # "the following friday" is next week's, as "the following week" is next week
            mod, mod_end = "coming" if self.w(i + 1) == "coming" else "next", i + 2
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

    def _weekday_and_day(self, i: int) -> list[tuple[int, DateSpec]]:
        """ "Friday 18", "Sat, 23": a weekday then a number 13-31 is a day of the month, not
        an hour (1-12 stay hours: "Friday 9" is nine o'clock); ordinals join elsewhere."""
        out: list[tuple[int, DateSpec]] = []
        for j, wd in self.weekday(i):
            k = j + (1 if self.w(j) == "," else 0)
            k += 1 if self.w(k) == "the" else 0
            w = self.w(k)
            if not (w.isdigit() and len(w) <= 2 and 13 <= int(w) <= 31):
                continue
            after = self.w(k + 1)
            if (self.g(k + 1) and after[:1].isalnum()) or (self.g(k + 1) and after in ":.h"):
                continue  # "Friday 18:30", "Friday 18h", "Friday 18th" (read elsewhere)
            if after in ("am", "pm", "a", "p", "o'clock", "hrs", "hours"):
                continue
            out.append((k + 1, DateSpec(day=int(w), weekday=wd)))
        return out

    def _dotted_day_month(self, i: int) -> list[tuple[int, DateSpec, bool]]:
        """ "8.5." (day-first with a closing dot, as in German and much of Europe): latent,
        so only with a weekday or a time ("Tuesday, 8.5.", "8.5. at 10"), never a price's
        "8.5." at the end of a sentence."""
        a, b = self.w(i), self.w(i + 2)
        if not (a.isdigit() and b.isdigit() and len(a) <= 2 and len(b) <= 2):
            return []
        if not (self.w(i + 1) == "." == self.w(i + 3) and all(self.g(i + k) for k in (1, 2, 3))):
            return []
        if self.g(i + 4) and self.w(i + 4)[:1].isalnum():
            return []  # "8.5.2018" is read with its year elsewhere
        if valid_date(2000, int(b), int(a)) is None:
            return []
        return [(i + 4, DateSpec(month=int(b), day=int(a)), True)]

    def _weekday_plural(self, i: int) -> list[tuple[int, DateSpec]]:
        """ "mondays", "on fridays": for a booking, the next one."""
        wd = WEEKDAY_PLURALS.get(self.w(i))
        if wd is None or self.w(i + 1) in ("ago", "from", "hence", "back"):
            return []
        return [(i + 1, DateSpec(weekday=wd, not_today=True))]

    def _ordinal_day(self, i: int) -> list[tuple[int, DateSpec, bool]]:
        """ "the 15th", "the first", "15th": a day of some month (not "the second one",
        "the first option", "the 3rd floor": an ordinal before a noun counts that noun)."""
        out: list[tuple[int, DateSpec, bool]] = []
        if self.w(i) == "the":
            for j, v in ordinal(self.toks, i + 1):
                if 1 <= v <= 31 and self.w(j) not in _COUNTED_NOUNS:
                    out.append((j, DateSpec(day=v), False))
        elif self.w(i).isdigit():
            for j, v in ordinal(self.toks, i):
                if 1 <= v <= 31 and self.w(j) not in _COUNTED_NOUNS:
                    out.append((j, DateSpec(day=v), True))
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
        for j, s in self._weekday_and_day(i):
            out.append((j, s, False))
        for j, s in self._weekday_plural(i):
            out.append((j, s, False))
        out.extend(self._dotted_day_month(i))
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
        for j, s in self._month_end(i):
            out.append((j, s, False))
        for j, s in self._holiday(i):
            out.append((j, s, False))
        return out
