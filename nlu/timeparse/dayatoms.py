"""Day atoms shared by the day rules: month and weekday names, years, days of the month."""

from __future__ import annotations

from dataclasses import replace

from nlu.timeparse.clockranges import ClockRangeRules
from nlu.timeparse.lexicon import MONTHS, WEEKDAYS
from nlu.timeparse.model import DateSpec
from nlu.timeparse.numbers import ordinal, word_number


class DayAtoms(ClockRangeRules):
    """The small pieces every day rule reads ("Sep", "thu.", "2015", "'15", "21st")."""

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
                out.append((i + 1, two_digit_year(int(w))))
        elif w == "'" and self.w(i + 1).isdigit() and len(self.w(i + 1)) == 2:
            out.append((i + 2, two_digit_year(int(self.w(i + 1)))))
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


def two_digit_year(y: int) -> int:
    """Two-digit years: 00-49 are the 2000s, 50-99 the 1900s."""
    return 2000 + y if y < 50 else 1900 + y
