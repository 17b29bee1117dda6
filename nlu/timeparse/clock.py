"""Clock rules: times of day, am/pm and zones (their ranges and bounds: clockranges.py)."""

from __future__ import annotations

from dataclasses import replace

from nlu.timeparse.lexicon import (
    APPROX_WORDS,
    TZ_ABBREVIATIONS,
)
from nlu.timeparse.model import Tod
from nlu.timeparse.numbers import ONES, TENS, integer, word_number
from nlu.timeparse.rules import ParserBase

_CLOCK_SUFFIXES = frozenset({"am", "pm", "a", "p", "h", "ish", "o'clock", "hrs"})


class ClockRules(ParserBase):
    """Times of day, am/pm and zones ("half past 3", "9:30 CST", "20pm")."""

    # ------------------------------------------------------------------ meridiem
    def meridiem(self, i: int) -> list[tuple[int, str, bool]]:
        """am/pm markers as (end, "am"|"pm", strong); single letters are weak."""
        w = self.w(i)
        out: list[tuple[int, str, bool]] = []
        if w in ("am", "pm"):
            j = i + 1
            if self.w(j) == "." and self.g(j):
                j += 1
            out.append((j, w, True))
        elif w in ("a", "p"):
            j = i + 1
            if self.w(j) == "." and self.g(j):
                j += 1
            if self.w(j) == "m":
                k = j + 1
                if self.w(k) == "." and self.g(k):
                    k += 1
                out.append((k, w + "m", True))
            elif self.g(i) and not (self.g(i + 1) and self.w(i + 1)[:1].isalnum()):
                out.append((j, w + "m", False))
        elif w == "in" and self.w(i + 1) == "the" and self.w(i + 2) in ("am", "pm"):
            out.append((i + 3, self.w(i + 2), True))
        elif w in ("a.m", "p.m"):
            out.append((i + 1, w.replace(".", ""), True))
        return out

    # ------------------------------------------------------------------ time of day
    def _hour_word(self, i: int) -> list[tuple[int, int]]:
        return [(j, v) for j, v in word_number(self.toks, i) if 0 <= v <= 24]

    def tod_base(self, i: int) -> list[tuple[int, Tod, bool]]:
        """Clock times without suffixes: (end, tod, has_minutes_form)."""
        return self.memo("tod_base", i, self._tod_base)

    def _tod_base(self, i: int) -> list[tuple[int, Tod, bool]]:
        out: list[tuple[int, Tod, bool]] = []
        t = self.toks[i] if i < self.n else None
        if t is None:
            return out
        w = t.text
        if w in ("12", "twelve") and self.w(i + 1) in ("noon", "midday", "midnight"):
            # "12 noon", "twelve midnight": the number only repeats the word
            out.append((i + 2, Tod(0 if self.w(i + 1) == "midnight" else 12), False))
            return out
        nxt_glued = self.w(i + 1) if self.g(i + 1) else ""
        if t.is_digit and nxt_glued[:1].isalpha() and nxt_glued not in _CLOCK_SUFFIXES:
            return out  # "221B", "4x4", "3rd": not a clock time
        if t.is_digit and len(w) <= 2:
            h = int(w)
            padded = len(w) == 2 and w[0] == "0"
            amb = 1 <= h <= 12 and not padded
            # H:MM[:SS]
            if self.w(i + 1) in (":", ".") and self.g(i + 1) and self.g(i + 2):
                mm = self.w(i + 2)
                if mm.isdigit() and len(mm) == 2 and int(mm) < 60 and h <= 24:
                    sep = self.w(i + 1)
                    if self.w(i + 3) == sep == ":" and self.g(i + 3) and self.g(i + 4):
                        ss = self.w(i + 4)
                        if ss.isdigit() and len(ss) == 2 and int(ss) < 60:
                            out.append((i + 5, Tod(h % 24, int(mm), int(ss), "second", amb),
                                        True))  # fmt: skip
                    # "8.15" is a clock time only with am/pm or "at" (else a price, a score)
                    dotted = sep == "." and not self.meridiem(i + 3)
                    out.append((i + 3, Tod(h % 24, int(mm), 0, "minute", amb, latent=dotted),
                                True))  # fmt: skip
            # 15h30, 3h18, 15h
            if self.w(i + 1) == "h" and self.g(i + 1) and h <= 24:
                mm = self.w(i + 2)
                if mm.isdigit() and len(mm) == 2 and self.g(i + 2) and int(mm) < 60:
                    out.append((i + 3, Tod(h % 24, int(mm), 0, "minute"), True))
                elif not (self.g(i + 2) and self.w(i + 2)[:1].isalnum()):
                    out.append((i + 2, Tod(h % 24, 0, 0, "minute", latent=h < 13), True))
            # "3 15" (needs "at" to count)
            nxt = self.w(i + 1)
            if (nxt.isdigit() and len(nxt) == 2 and not self.g(i + 1) and int(nxt) < 60
                    and 1 <= h <= 12):  # fmt: skip
                out.append(
                    (i + 2, Tod(h, int(nxt), 0, "minute", True, latent=True, marker=True), True)
                )
            if h <= 24:
                out.append((i + 1, Tod(h % 24, 0, 0, "hour", amb, latent=True), False))
        elif t.is_digit and len(w) in (3, 4):
            v = int(w)
            h, m = divmod(v, 100)
            if h <= 23 and m < 60:
                amb = 1 <= h <= 12 and w[0] != "0"
                out.append((i + 1, Tod(h, m, 0, "minute", amb, latent=True, marker=True), True))
        elif w in ("noon", "midday", "noonish", "middayish"):
            out.append((i + 1, Tod(12), False))
        elif w == "mid" and self.w(i + 1) == "day":
            out.append((i + 2, Tod(12), False))
        elif w == "midnight":
            out.append((i + 1, Tod(0), False))
        elif w == "the" and self.w(i + 1) in ("noon", "midday"):
            out.append((i + 2, Tod(12), False))
        else:
            for j, h in self._hour_word(i):
                if not 1 <= h <= 12 and not 13 <= h <= 23:
                    continue
                amb = 1 <= h <= 12
                if amb:
                    # "three twenty", "nine fifty nine", "seven oh five"
                    k = j
                    if self.w(k) in ("oh", "o") and self.w(k + 1) in ONES:
                        mv = ONES[self.w(k + 1)]
                        if 1 <= mv <= 9:
                            tod = Tod(h, mv, 0, "minute", True, latent=True, marker=True)
                            out.append((k + 2, tod, True))
                    elif self.w(k) in TENS or (self.w(k) in ONES and ONES[self.w(k)] >= 10):
                        for k2, mv in word_number(self.toks, k):
                            if 10 <= mv < 60:
                                tod = Tod(h, mv, 0, "minute", True, latent=True, marker=True)
                                out.append((k2, tod, True))
                out.append((j, Tod(h % 24, 0, 0, "hour", amb, latent=True), False))
        return out

    def _hour_tod(self, i: int) -> list[tuple[int, Tod]]:
        """An hour usable after "past"/"to": "3pm", "3", "noon", "15h"."""
        out: list[tuple[int, Tod]] = []
        for j, tod, _ in self.tod_base(i):
            if tod.minute or tod.grain == "second":
                continue
            out.append((j, tod))
            for k, mer, _strong in self.meridiem(j):
                if tod.ambiguous:
                    out.append((k, replace(tod.with_meridiem(mer), latent=False)))
            if self.w(j) == "o'clock":
                out.append((j + 1, replace(tod, latent=False)))
        return out

    def _minutes_word(self, i: int) -> list[tuple[int, int, bool]]:
        """The minutes of "20 past", "a quarter to", "half past": (end, minutes, bare) where
        bare is a number said without "minutes"."""
        out: list[tuple[int, int, bool]] = []
        w = self.w(i)
        if w in ("a", "an") and self.w(i + 1) == "quarter":
            out.append((i + 2, 15, False))
        elif w == "quarter":
            out.append((i + 1, 15, False))
        elif w == "half":
            out.append((i + 1, 30, False))
        else:
            for j, v in integer(self.toks, i):
                if 1 <= v < 60:
                    out.append((j, v, True))
                    if self.w(j) in ("minutes", "minute", "mins", "min"):
                        out.append((j + 1, v, False))
        return out

    def _relative_minutes(self, i: int) -> list[tuple[int, Tod]]:
        """ "half past three", "a quarter to noon", "20 minutes to 2pm", "half three"."""
        out: list[tuple[int, Tod]] = []
        for j, m, bare in self._minutes_word(i):
            rel = self.w(j)
            if rel in ("past", "after"):
                sign = 1
            elif rel in ("to", "till", "before", "of") and m != 30:
                sign = -1
            else:
                continue
            if bare and sign < 0 and (rel == "till" or m % 5):
                continue  # "six till eight", "six to eight": a range, not 7:54 ("ten to 8")
            for k, hour in self._hour_tod(j + 1):
                if hour.grain != "hour" and hour.grain != "minute":
                    continue
                total = hour.hour * 60 + sign * m
                if hour.ambiguous and total < 0:
                    total += 12 * 60
                total %= 24 * 60
                h, mm = divmod(total, 60)
                amb = hour.ambiguous
                if amb and h == 0:
                    h = 12
                out.append((k, Tod(h, mm, 0, "minute", amb and h <= 12)))
        if self.w(i) == "half":
            for k, hour in self._hour_tod(i + 1):
                if hour.grain == "hour" and 1 <= hour.hour <= 12 and hour.ambiguous:
                    out.append((k, Tod(hour.hour, 30, 0, "minute", True)))
        return out

    def tod(self, i: int) -> list[tuple[int, Tod]]:
        """A time of day with am/pm, "o'clock", "ish" and an optional "at" in front."""
        return self.memo("tod", i, self._tod)

    def _tod(self, i: int) -> list[tuple[int, Tod]]:
        out: list[tuple[int, Tod]] = []
        w = self.w(i)
        if w in ("at", "@"):
            k = i + 1
            if self.w(k) in APPROX_WORDS:
                k += 1
            for j, tod in self.tod(k):
                out.append((j, replace(tod, latent=False) if tod.hour <= 24 else tod))
            return out
        if w in APPROX_WORDS:
            for j, tod in self.tod(i + 1):
                keep_latent = tod.latent and tod.grain == "hour"
                out.append((j, replace(tod, latent=keep_latent)))
            return out
        bases: list[tuple[int, Tod, bool]] = list(self.tod_base(i))
        bases.extend((j, t, True) for j, t in self._relative_minutes(i))
        for j, tod, minutes_form in bases:
            for j2, tod2 in self._suffixes(j, tod, minutes_form):
                out.append((j2, tod2))
        return out

    def _suffixes(self, j: int, tod: Tod, minutes_form: bool) -> list[tuple[int, Tod]]:
        """Readings after optional "ish", "o'clock", am/pm and "sharp"."""
        out: list[tuple[int, Tod]] = [(j, tod)]
        k = j
        if self.w(k) == "ish":
            k += 1
            tod = replace(tod, latent=False)
            out.append((k, tod))
        if self.w(k) == "o'clock":  # every spelling is one token (tokens.py)
            if tod.grain == "hour":
                k += 1
                tod = replace(tod, latent=False)
                out.append((k, tod))
            else:
                return out
        for k2, mer, strong in self.meridiem(k):
            if 13 <= tod.hour <= 23 and strong:
                # "20pm", "13 pm", "15:30pm": the 24-hour clock settles it, am/pm is a slip
                out.append((k2, replace(tod, latent=False)))
                continue
            if tod.hour > 12 or (tod.hour == 0 and tod.fixed_day_offset == 0 and
                                 mer == "pm"):  # fmt: skip
                continue
            if not tod.ambiguous and tod.hour != 0 and not (1 <= tod.hour <= 12):
                continue
            base = Tod(tod.hour if tod.ambiguous or tod.hour else 12, tod.minute, tod.second,
                       tod.grain, True)  # fmt: skip
            t2 = base.with_meridiem(mer)
            latent = not strong and not minutes_form
            out.append((k2, replace(t2, latent=latent)))
            if self.w(k2) == "ish":
                out.append((k2 + 1, replace(t2, latent=latent)))
        final = list(out)
        for k3, t3 in out:
            if self.w(k3) in ("sharp", "exactly", "approximately", "precisely"):
                final.append((k3 + 1, t3))
        return final

    def tz(self, i: int) -> list[tuple[int, int]]:
        """A zone after a time: "GMT", "(BST)", "UTC+2"."""
        out: list[tuple[int, int]] = []
        k = i
        paren = self.w(k) == "("
        if paren:
            k += 1
        name = self.w(k)
        if name not in TZ_ABBREVIATIONS or (name == "z" and not self.g(k)):
            return out
        off = TZ_ABBREVIATIONS[name]
        k += 1
        if name in ("utc", "gmt") and self.w(k) in ("+", "-") and self.g(k):
            digits = self.w(k + 1)
            if digits.isdigit() and self.g(k + 1) and int(digits) <= 14:
                off = (1 if self.w(k) == "+" else -1) * int(digits) * 60
                k += 2
        if paren:
            if self.w(k) != ")":
                return out
            k += 1
        out.append((k, off))
        return out
