"""Recursive-descent grammar over tokens: atoms (time of day, day, part of day, relative
instant, range) and phrases combining them ("next friday at 10", "3-4pm tomorrow").

Every rule returns all readings as ``(end token, meaning)`` pairs; the caller keeps the
longest reading that resolves.  Rules are memoised per position, so a parse is linear-ish.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from nlu.timeparse.dateranges import DateRangeRules
from nlu.timeparse.model import DateSpec, Phrase, Pod, Tod
from nlu.timeparse.rules import (
    CONNECTORS,
    Comp,
)


class Parser(DateRangeRules):
    """Parses one text against a reference context; create one per call."""

    # ------------------------------------------------------------------ phrases
    def components(self, i: int) -> list[Comp]:
        """Every piece that can start at i."""
        return self.memo("comp", i, self._components)

    def _components(self, i: int) -> list[Comp]:
        out: list[Comp] = []
        if i >= self.n or not self.can_start(i):
            return out
        for j, tod in self.tod(i):
            if tod.latent and j == i + 1 and self.w(i) == "one" and not self.one_is_hour(i, j):
                # a bare "one" is a pronoun ("the second one", "book one in the afternoon"),
                # an hour only before a part of the day ("for one in the afternoon")
                continue
            # "3 30", "1030", "three twenty" stay latent: a time only with "at", am/pm,
            # "ish", a day or a part of the day ("three thirty in the afternoon")
            out.append((j, "tod", tod, tod.latent))
        for j, r in self.rng(i):
            out.append((j, "rng", r, r.latent))
        for j, o in self.open_tod(i):
            out.append((j, "open", o, o.tod.latent))
        for j, d, latent in self.date(i):
            out.append((j, "date", d, latent))
        for j, p, latent in self.pod(i):
            out.append((j, "pod", p, latent))
        for j, ins in self.inst(i):
            out.append((j, "inst", ins, False))
        for j, sp in self.spans(i):
            out.append((j, "res", sp, False))
        for j, off in self.tz(i):
            out.append((j, "tz", off, True))
        return out

    def phrase(self, i: int) -> list[tuple[int, Phrase]]:
        """Every time expression at i: joined pieces, and ranges of days ("Aug 5 - 16")."""
        return self.memo("phrase", i, self._phrase_or_range)

    def _phrase_or_range(self, i: int) -> list[tuple[int, Phrase]]:
        out = list(self.plain_phrase(i))
        out.extend((j, Phrase(resolved=span, parts=1)) for j, span in self.date_ranges(i))
        return out

    def plain_phrase(self, i: int) -> list[tuple[int, Phrase]]:
        """Sequences of compatible pieces joined by connectors, with their collected meaning."""
        return self.memo("plain", i, self._phrase)

    def _phrase(self, i: int) -> list[tuple[int, Phrase]]:
        results: list[tuple[int, Phrase]] = []

        def dfs(k: int, ph: Phrase, last: str, depth: int, any_real: bool) -> None:
            after_for = last.endswith("+") and self.w(k - 1) == "for"
            for j, kind, obj, latent in self.components(k):
                if after_for and kind in ("tod", "rng") and latent:
                    continue  # "the 27th for one night", "friday for 2": a count, not 2 o'clock
                ph2 = _add(ph, kind, obj, last, k)
                if ph2 is None:
                    continue
                real = any_real or not latent
                lone_pod = depth == 0 and kind == "pod" and obj.bare
                if lone_pod and self.lone_pod_ok(k, j):
                    results.append((j, ph2))  # "afternoon" as the whole answer
                lead = ph.pod if last in ("pod", "pod+") and ph.parts == 1 else None
                if lead is not None and lead.bare and kind == "tod" and _inside(lead, obj) \
                        and self.hour_after_pod(k, last == "pod+"):  # fmt: skip
                    real = True  # "morning 10", "evening around 5": the part of day settles it
                if real:
                    results.append((j, ph2))
                if depth >= 5 or kind == "res":
                    continue
                dfs(j, ph2, kind, depth + 1, real)
                w = self.w(j)
                if w == "t" and kind == "date" and self.g(j) and self.g(j + 1):
                    dfs(j + 1, ph2, kind + "+", depth + 1, real)  # ISO "2026-12-05T10:00"
                if w in CONNECTORS:
                    k2 = j + 1
                    if w == "," and self.w(k2) in ("at", "on", "@"):
                        k2 += 1
                    dfs(k2, ph2, kind + "+", depth + 1, real)

        dfs(i, Phrase(), "", 0, False)
        return results


def _add(ph: Phrase, kind: str, obj: Any, last: str, pos: int) -> Phrase | None:
    """Add a piece to a phrase when it fits; None when it clashes."""
    if ph.resolved is not None:
        return None
    empty = (ph.date is None and ph.tod is None and ph.rng is None and ph.pod is None
             and ph.inst is None and ph.opn is None)  # fmt: skip
    timed = ph.tod is not None or ph.rng is not None or ph.opn is not None
    new = Phrase(ph.date, ph.tod, ph.rng, ph.pod, ph.inst, ph.opn, ph.tz, parts=ph.parts + 1)
    if kind == "res":
        if not empty:
            return None
        new.resolved = obj
    elif kind == "tod":
        if timed:
            return None
        if ph.inst is not None and not ph.inst.date_like:
            return None
        new.tod = obj
    elif kind == "rng":
        if timed or ph.inst is not None:
            return None
        new.rng = obj
    elif kind == "open":
        if timed or ph.inst is not None:
            return None
        new.opn = obj
    elif kind == "date":
        if ph.inst is not None:
            return None
        if ph.date is None:
            new.date = obj
        else:
            merged = _merge_dates(ph.date, obj)
            if merged is None:
                return None
            new.date = merged
    elif kind == "pod":
        if ph.pod is not None or ph.inst is not None or (obj.needs_day and ph.date is None):
            return None
        new.pod = obj
    elif kind == "inst":
        if ph.inst is not None or ph.rng is not None or ph.pod is not None or ph.opn is not None:
            return None
        if ph.date is not None:
            if not ph.date.is_today or ph.tod is not None:
                return None
            new.date = None
        if ph.tod is not None and not obj.date_like:
            return None
        new.inst = obj
    elif kind == "tz":
        if last not in ("tod", "rng", "open") or ph.tz is not None:
            return None
        new.tz = obj
    else:
        return None
    return new


def _inside(pod: Pod, tod: Tod) -> bool:
    """Whether the hour, read in the part of the day, can be meant by it ("night 9",
    "evening 5", "afternoon 12"; not "evening 1"): people name an evening from 4pm on,
    so an afternoon or evening hour may start up to two hours before the part's table."""
    hour = tod.with_meridiem(pod.meridiem).hour if tod.ambiguous else tod.hour
    start = max(12, pod.start - 2) if pod.meridiem == "pm" else pod.start
    return start <= hour <= pod.end and not tod.marker


def _merge_dates(a: DateSpec, b: DateSpec) -> DateSpec | None:
    """Combine "Monday" with "Feb 18" or "next week" (either order); anything else clashes."""
    for week, day in ((a, b), (b, a)):
        if week.grain == "week" and week.fixed is not None and day.grain == "day" and \
                day.weekday is not None and day.fixed is None and day.day is None:  # fmt: skip
            return DateSpec(fixed=week.fixed + timedelta(days=day.weekday))  # "next week friday"
    if a.grain != "day" or b.grain != "day":
        return None
    wd_only_a = a.weekday is not None and a.fixed is None and a.day is None
    wd_only_b = b.weekday is not None and b.fixed is None and b.day is None
    if wd_only_a and not wd_only_b and b.weekday is None:
        other, wd = b, a.weekday
    elif wd_only_b and not wd_only_a and a.weekday is None:
        other, wd = a, b.weekday
    else:
        return None
    if other.fixed is not None:
        return other
    return replace(other, weekday=wd, not_today=False)


__all__ = ["Parser"]
