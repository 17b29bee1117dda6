"""Durations ("an hour and a half", "90 mins", "2h", "1 year, 2 days and 4 seconds")."""

from __future__ import annotations

from dataclasses import dataclass

from nlu.timeparse.lexicon import (
    FINER_UNIT,
    GRAIN_ORDER,
    QUANTITY_WORDS,
    SHORT_UNITS,
    UNIT_SECONDS,
    UNITS,
)
from nlu.timeparse.numbers import ONES, decimal, integer
from nlu.timeparse.tokens import Token

_FILLERS = frozenset({"more", "extra", "additional", "less", "fewer", "other", "full",
                      "whole", "straight", "solid"})  # fmt: skip
_SPACED_SHORT = frozenset({"m", "h"})
_UNIT_RANK = {u: i for i, u in enumerate(("second", "minute", "hour", "day", "week",
                                           "month", "quarter", "year"))}  # fmt: skip


@dataclass(frozen=True)
class Dur:
    """A duration as (amount, unit) parts; ``unit`` is the finest unit said."""

    parts: tuple[tuple[float, str], ...]

    @property
    def seconds(self) -> float:
        """Length in seconds, counted in the finest unit said (Duckling's arithmetic:
        "2 years 3 months" is 27 months of 30 days, "1 year 2 days" is 367 days)."""
        unit = self.unit
        return sum(_convert(n, u, unit) for n, u in self.parts) * UNIT_SECONDS[unit]

    @property
    def unit(self) -> str:
        """Finest unit mentioned."""
        return min((u for _, u in self.parts), key=lambda u: _UNIT_RANK[u])

    def normalized(self) -> tuple[int, str]:
        """Whole-number value in the finest unit that expresses it exactly."""
        unit = self.unit
        secs = self.seconds
        while True:
            v = secs / UNIT_SECONDS[unit]
            if abs(v - round(v)) < 1e-9 or unit == "second":
                return round(v), unit
            unit = FINER_UNIT[unit]


_MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


def _convert(n: float, unit: str, target: str) -> float:
    """n units expressed in a finer target unit (calendar units convert among themselves)."""
    if target in _MONTHS_IN and unit in _MONTHS_IN:
        return n * _MONTHS_IN[unit] / _MONTHS_IN[target]
    return n * UNIT_SECONDS[unit] / UNIT_SECONDS[target]


def _w(tokens: list[Token], i: int) -> str:
    return tokens[i].text if 0 <= i < len(tokens) else ""


def _glued(tokens: list[Token], i: int) -> bool:
    return 0 <= i < len(tokens) and tokens[i].glued


def unit_word(tokens: list[Token], i: int, after_number: bool = True) -> list[tuple[int, str]]:
    """A unit name at token i ("minutes", "hrs", a glued "h" or "'")."""
    w = _w(tokens, i)
    if w in UNITS:
        u = UNITS[w]
        j = i + 1
        return [(j, u)]
    if after_number and w in SHORT_UNITS and (_glued(tokens, i) or w in _SPACED_SHORT):
        if i + 1 < len(tokens) and tokens[i + 1].glued and tokens[i + 1].text[0].isalpha():
            return []  # "2mb": part of a longer word
        return [(i + 1, SHORT_UNITS[w])]
    if after_number and w in ("'", "\u2032") and _glued(tokens, i):
        return [(i + 1, "minute")]
    if after_number and w in ('"', "\u2033", "''") and _glued(tokens, i):
        return [(i + 1, "second")]
    return []


def quantity(tokens: list[Token], i: int) -> list[tuple[int, float]]:
    """A count before a unit: digits, words, "a", "a couple of", "a few"."""
    out: list[tuple[int, float]] = []
    w = _w(tokens, i)
    if w in ("a", "an"):
        nxt = _w(tokens, i + 1)
        if nxt in ("couple", "pair", "few", "dozen"):
            j = i + 2 + (1 if _w(tokens, i + 2) == "of" else 0)
            out.append((j, float(QUANTITY_WORDS[nxt])))
        out.append((i + 1, 1.0))
        return out
    if w in ("couple", "few", "pair", "dozen", "several"):
        j = i + 1 + (1 if _w(tokens, i + 1) == "of" else 0)
        return [(j, float(QUANTITY_WORDS.get(w, 3)))]
    for j, v in decimal(tokens, i):
        # a number glued to more digits/separators belongs to something else (dates, phones)
        if (
            j < len(tokens)
            and tokens[j].glued
            and tokens[j].text in "/:.-"
            and (j + 1 < len(tokens) and tokens[j + 1].is_digit and tokens[j + 1].glued)
        ):
            continue
        out.append((j, v))
    return out


def _fraction(tokens: list[Token], i: int) -> list[tuple[int, float]]:
    """ "half", "a quarter of", "three quarters of", "1/2", "3/4" as a fraction of a unit."""
    out: list[tuple[int, float]] = []
    w = _w(tokens, i)
    if (
        _w(tokens, i).isdigit()
        and _w(tokens, i + 1) == "/"
        and _glued(tokens, i + 1)
        and _glued(tokens, i + 2)
        and _w(tokens, i + 2).isdigit()
    ):
        num, den = int(tokens[i].text), int(tokens[i + 2].text)
        if den and num < den <= 4:
            out.append((i + 3, num / den))
        return out
    j = i
    count = 1.0
    if w in ("a", "an", "one"):
        j = i + 1
    elif w in ONES and w not in ("zero",):
        count = float(ONES[w])
        j = i + 1
        if _w(tokens, j) == "-":
            j += 1
    elif w.isdigit():
        count = float(w)
        j = i + 1
    head = _w(tokens, j)
    if head == "half" and count == 1.0:
        # "half-hour": the hyphen is part of the fraction
        glued_dash = _w(tokens, j + 1) == "-" and _glued(tokens, j + 1)
        out.append((j + 2 if glued_dash else j + 1, 0.5))
    elif head in ("quarter", "quarters"):
        out.append((j + 1, count / 4))
    return out


def _fraction_of_unit(tokens: list[Token], i: int) -> list[tuple[int, Dur]]:
    """ "half an hour", "a quarter of an hour", "1/2h", "three-quarters of an hour"."""
    out: list[tuple[int, Dur]] = []
    for j, frac in _fraction(tokens, i):
        k = j
        if _w(tokens, k) == "of":
            k += 1
        if _w(tokens, k) in ("a", "an"):
            k += 1
        for k2, unit in unit_word(tokens, k, after_number=True):
            if unit == "quarter":
                continue
            out.append((_long_suffix(tokens, k2), Dur(((frac, unit),))))
    return out


def _and_fraction(tokens: list[Token], i: int) -> list[tuple[int, float]]:
    """ "and a half", "and half", "and three quarters" after a count or a unit."""
    if _w(tokens, i) != "and":
        return []
    return _fraction(tokens, i + 1)


def term(tokens: list[Token], i: int) -> list[tuple[int, Dur]]:
    """One amount with its unit."""
    out: list[tuple[int, Dur]] = []
    out.extend(_fraction_of_unit(tokens, i))
    for j, q in quantity(tokens, i):
        j2 = j + 1 if _w(tokens, j) in _FILLERS else j
        # "5 and a half minutes", "one and three quarters of an hour"
        for k, frac in _and_fraction(tokens, j):
            k2 = k + (1 if _w(tokens, k) == "of" else 0)
            k2 += 1 if _w(tokens, k2) in ("a", "an") else 0
            for k3, unit in unit_word(tokens, k2):
                if unit != "quarter":
                    out.append((k3, Dur(((q + frac, unit),))))
        units = unit_word(tokens, j2, after_number=tokens[j - 1].is_digit)
        if _w(tokens, j2) == "-" and _glued(tokens, j2) and _glued(tokens, j2 + 1):
            # adjective form: "a 90-minute lesson", "a two-hour workshop"
            units = [(k, u) for k, u in unit_word(tokens, j2 + 1, after_number=False)]
        for k, unit in units:
            base = Dur(((q * 14, "day"),)) if unit == "fortnight" else Dur(((q, unit),))
            k = _long_suffix(tokens, k)
            out.append((k, base))
            for k2, frac in _and_fraction(tokens, k):
                if unit != "fortnight":
                    out.append((k2, Dur(((q + frac, unit),))))
    return out


def _long_suffix(tokens: list[Token], k: int) -> int:
    """Skip a glued "-long" ("an hour-long call", "a 90-minute-long class")."""
    if _w(tokens, k) == "-" and _glued(tokens, k) and _w(tokens, k + 1) == "long" and \
            _glued(tokens, k + 1):  # fmt: skip
        return k + 2
    return k


def _next_unit(unit: str) -> str | None:
    return {"hour": "minute", "minute": "second"}.get(unit)


def duration(tokens: list[Token], i: int) -> list[tuple[int, Dur]]:
    """A duration made of one or more terms with strictly decreasing units."""
    results: list[tuple[int, Dur]] = []

    def extend(j: int, dur: Dur) -> None:
        results.append((j, dur))
        smallest = dur.unit
        k = j
        if _w(tokens, k) == ",":
            k += 1
        if _w(tokens, k) == "and":
            k += 1
        for k2, nxt in term(tokens, k):
            if _UNIT_RANK[nxt.unit] < _UNIT_RANK[smallest] and len(nxt.parts) == 1:
                extend(k2, Dur(dur.parts + nxt.parts))
        finer_unit = _next_unit(smallest)
        if finer_unit is not None and len(dur.parts) == 1:
            for k2, n in integer(tokens, k):
                if 1 <= n < 60 and not unit_word(tokens, k2) and _ends_phrase(tokens, k2):
                    results.append((k2, Dur((*dur.parts, (float(n), finer_unit)))))

    for j, d in term(tokens, i):
        extend(j, d)
    return results


def _ends_phrase(tokens: list[Token], i: int) -> bool:
    """True at the end of the text or before punctuation/connectors."""
    if i >= len(tokens):
        return True
    w = tokens[i].text
    return not w[0].isalnum() or w in {
        "and",
        "on",
        "at",
        "from",
        "for",
        "tomorrow",
        "today",
        "starting",
        "then",
        "please",
        "to",
        "in",
    }


__all__ = ["GRAIN_ORDER", "Dur", "duration", "quantity", "term", "unit_word"]
