"""Ranges and open bounds of clock times ("3-4pm", "after 4pm", "noon at the latest")."""

from __future__ import annotations

from dataclasses import replace

from nlu.timeparse.clock import ClockRules
from nlu.timeparse.lexicon import APPROX_WORDS, UNITS
from nlu.timeparse.model import Open, Range, Tod
from nlu.timeparse.rules import RANGE_SEPS

_TILL = frozenset({"till", "until", "til", "untill", "'til"})
_AFTER = (("after",), ("since",), ("later", "than"), ("no", "earlier", "than"), ("from",),
          ("not", "before"), ("not", "earlier", "than"))  # fmt: skip
_BEFORE = (("before",), ("until",), ("till",), ("til",), ("untill",), ("earlier", "than"),
           ("no", "later", "than"), ("up", "to"), ("up", "until"), ("not", "after"),
           ("not", "later", "than"))  # fmt: skip
_BOUND_STARTS = frozenset(words[0] for words in _AFTER + _BEFORE)
_TAIL_AFTER = (("onwards",), ("onward",), ("or", "later"), ("and", "later"), ("or", "after"),
               ("at", "the", "earliest"), ("earliest",))  # fmt: skip
_TAIL_BEFORE = (("or", "earlier"), ("or", "before"), ("at", "the", "latest"), ("latest",),
                ("at", "latest"))  # fmt: skip


class ClockRangeRules(ClockRules):
    """Open intervals and ranges built on times of day."""

    # ------------------------------------------------------------------ open intervals
    def open_tod(self, i: int) -> list[tuple[int, Open]]:
        """ "after 4pm", "before noon", "until 3", "no later than 10:30": one side of an
        interval, which a day may join ("Saturday before noon", "before 10am tomorrow")."""
        return self.memo("open", i, self._open_tod)

    def _open_tod(self, i: int) -> list[tuple[int, Open]]:
        out: list[tuple[int, Open]] = []
        if self.w(i) in _BOUND_STARTS:
            for words, after in [(w, True) for w in _AFTER] + [(w, False) for w in _BEFORE]:
                k = self.words(i, *words)
                if k is None:
                    continue
                if self.w(k) in APPROX_WORDS:
                    k += 1
                for j, tod in self.tod(k):
                    if tod.marker or (tod.latent and self.w(j) in UNITS):
                        continue  # "after 1030", "after 3 days": not a time of day
                    if words == ("from",) and not self._alone_from(j):
                        continue
                    j = self._tail(j, after) or j  # "from 3pm onwards"
                    out.append((j, Open(after, replace(tod, latent=False))))
        # the bound said after the time: "3pm onwards", "10 or later", "noon at the latest"
        for j, tod in self.tod(i):
            for after in (True, False):
                end = self._tail(j, after)
                if end is not None and not tod.marker:
                    out.append((end, Open(after, tod)))  # a bare "10 or later" needs a day
        return out

    def _tail(self, j: int, after: bool) -> int | None:
        """End of a trailing "onwards" / "or later" (after) or "or earlier" / "at the latest"."""
        for words in _TAIL_AFTER if after else _TAIL_BEFORE:
            end = self.words(j, *words)
            if end is not None:
                return end
        return None

    def _alone_from(self, j: int) -> bool:
        """ "from 9" with nothing after it is open ("from 9 tomorrow", not "from 9 to 5")."""
        return self.w(j) not in RANGE_SEPS and self.w(j) not in ("and", "till", "until")

    # ------------------------------------------------------------------ ranges
    def _endpoint(self, i: int) -> list[tuple[int, Tod]]:
        out = []
        for j, tod in self.tod(i):
            out.append((j, tod))
            for k, off in self.tz(j):
                out.append((k, replace(tod, tz=off)))
        return out

    def rng(self, i: int) -> list[tuple[int, Range]]:
        """ "3-4pm", "from 9:30 to 11", "between 3:30pm and 6 pm", "later than X but before Y"."""
        return self.memo("rng", i, self._rng)

    def _rng(self, i: int) -> list[tuple[int, Range]]:
        out: list[tuple[int, Range]] = []
        w = self.w(i)
        start = i
        kind = ""
        if w in ("from", "between"):
            kind = w
            start = i + 1
        elif w == "in" and self.w(i + 1) == "between":
            kind = "between"
            start = i + 2
        elif self.words(i, "later", "than") or w == "after":
            start = i + 2 if w == "later" else i + 1
            for j, a in self._endpoint(start):
                k = j + (1 if self.w(j) == "," else 0)
                if self.w(k) in ("but", "and"):
                    k += 1
                if self.w(k) == "before":
                    for j2, b in self._endpoint(k + 1):
                        out.append((j2, Range(a, b, a.latent and b.latent)))
            return out
        for j, a in self._endpoint(start):
            sep = self.w(j)
            seps = ("and", "-", "\u2013", "to") if kind == "between" else RANGE_SEPS
            if sep not in seps or (sep == "to" and kind != "between" and self.moved[i]):
                continue  # "change my 3pm to 4pm": the old time and the new one
            for j2, b in self._endpoint(j + 1):
                if a.tz is None and b.tz is not None:
                    a = replace(a, tz=b.tz)  # "9:30 - 11:00 CST": one zone for both
                # "6 till 8" is a range ("till" is only ever temporal); "6-8", "6 to 8" may be
                # a count or a score, so they need am/pm, a day or a part of the day
                latent = a.latent and b.latent and kind != "from" and sep not in _TILL
                out.append((j2, Range(a, b, latent)))
        return out
