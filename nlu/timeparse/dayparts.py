"""Part-of-day rules ("tomorrow evening" = a day plus one of these)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from nlu.timeparse.days import DayRules
from nlu.timeparse.lexicon import APPROX_WORDS, PARTS_OF_DAY
from nlu.timeparse.model import DateSpec, Pod
from nlu.timeparse.rules import (
    POD_WORDS,
)

_GREETINGS = frozenset({"good", "hi", "hey", "hello", "hiya", "morning", "evening"})
_POD_LEAD_WORDS = frozenset({"the", "any", "sometime", "prefer", "preferably", "maybe", "or",
                             "and", "say", "ideally", "probably", "perhaps"})  # fmt: skip
_POD_TAIL_WORDS = frozenset({"please", "pls", "plz", "ideally", "preferably", "or", "and",
                             "works", "would", "is", "suits", "thanks", "then", "if"})  # fmt: skip


# Words after which "one" is an hour, not a pronoun ("for one in the afternoon").
_ONE_LEADS = frozenset({"for", "at", "around", "about", "by", "from", "until", "till", "to",
                        "before", "after", "since", "say", "maybe", "perhaps", "or", "is",
                        "be", "was", "'s"})  # fmt: skip
_POINTING_WORDS = frozenset({"there", "here", "which", "that", "this", "it"})
_HOUR_LEADS = APPROX_WORDS | {"at", "@"}

_POD_STARTS = POD_WORDS | _HOUR_LEADS | {"tonight", "tonite", "toniht", "late", "early",
                                        "very", "this", "last", "in", "after", "am", "pm",
                                        "a", "p", "a.m", "p.m"}  # fmt: skip


class PartOfDayRules(DayRules):
    """Parts of the day: "tonight", "this morning", "in the afternoon", "after lunch"."""

    # ------------------------------------------------------------------ parts of day
    def _pod_word(self, i: int) -> list[tuple[int, str]]:
        """ "morning", "early morning", "late afternoon", "lunch", "afternoonish"."""
        out: list[tuple[int, str]] = []
        w = self.w(i)
        k = i
        prefix = ""
        if w == "very" and self.w(i + 1) in ("early", "late"):
            i, w = i + 1, self.w(i + 1)  # "very early afternoon": as early as it gets
            k = i
        if w in ("early", "late"):
            prefix, k = w + " ", i + 1
        name = self.w(k).rstrip("s") if self.w(k) in POD_WORDS else ""
        if name == "lunchtime":
            name = "lunch"
        if name:
            full = prefix + name
            if full not in PARTS_OF_DAY:
                full = name
            j = k + 1
            if self.w(j) == "ish" and self.g(j):
                j += 1
            out.append((j, full))
        elif self.w(i).endswith("ish") and self.w(i)[:-3] in PARTS_OF_DAY:
            out.append((i + 1, self.w(i)[:-3]))
        return out

    def pod(self, i: int) -> list[tuple[int, Pod, bool]]:
        """A part of the day as (end, pod, latent)."""
        return self.memo("pod", i, self._pod)

    def _pod(self, i: int) -> list[tuple[int, Pod, bool]]:
        out: list[tuple[int, Pod, bool]] = []
        w = self.w(i)
        if w not in _POD_STARTS and not w.endswith("ish"):
            return out
        today = self.ctx.today

        def mk(name: str, day: DateSpec | None = None) -> Pod:
            s, e, mer = PARTS_OF_DAY[name]
            return Pod(name, s, e, mer, day)

        today_spec = DateSpec(fixed=today, is_today=True)
        if w in ("tonight", "tonite", "toniht"):
            out.append((i + 1, mk("night", today_spec), False))
        if w == "late" and self.w(i + 1) in ("tonight", "tonite"):
            out.append((i + 2, mk("late night", today_spec), False))
        if w == "this":
            for j, name in self._pod_word(i + 1):
                out.append((j, mk(name, today_spec), False))
        if self.words(i, "last", "night") or self.words(i, "late", "last", "night"):
            name = "late night" if w == "late" else "night"
            out.append((i + (3 if w == "late" else 2),
                        mk(name, DateSpec(fixed=today - timedelta(days=1))), False))  # fmt: skip
        if self.words(i, "in", "the"):
            for j, name in self._pod_word(i + 2):
                out.append((j, mk(name), False))
            if self.words(i + 2, "early", "hours", "of", "the", "morning"):
                out.append((i + 7, mk("early morning"), False))
        if self.words(i, "early", "in", "the", "morning"):
            out.append((i + 4, mk("early morning"), False))
        if w == "at" and self.w(i + 1) in ("night", "lunch", "lunchtime"):
            out.append((i + 2, mk("night" if self.w(i + 1) == "night" else "lunch"), False))
        if w == "after" and self.w(i + 1) in ("lunch", "school", "work"):
            out.append((i + 2, mk("after " + self.w(i + 1)), False))
        for j, name in self._pod_word(i):
            out.append((j, replace(mk(name), bare=True), True))
        if w in _HOUR_LEADS:  # "at evening 5", "around afternoon 2:30": the lead is kept
            for j, name in self._pod_word(i + 1):
                if self.w(j).isdigit():
                    out.append((j, replace(mk(name), bare=True), True))
        # "friday late", "december 6 early": late in the day, early in the day; as the whole
        # answer ("early", "very late please") the morning or the evening
        k = i + 1 if w == "very" else i
        if self.w(k) in ("early", "late") and self.w(k + 1) not in POD_WORDS:
            name = "morning" if self.w(k) == "early" else "evening"
            if k == i:
                out.append((i + 1, replace(mk(name), needs_day=True), True))
            if self._whole_answer(i, k + 1):
                out.append((k + 1, replace(mk(name), bare=True), True))
        # "Saturday am", "tomorrow p.m.": the morning or the afternoon of that day
        for j, mer, strong in self.meridiem(i):
            if strong and not self.g(i):
                name = "morning" if mer == "am" else "afternoon"
                out.append((j, replace(mk(name), needs_day=True), True))
        return out

    def one_is_hour(self, i: int, j: int) -> bool:
        """ "one in the afternoon", "for one this afternoon": "one" is an hour when a part
        of the day follows at once and the word before it cannot make it a pronoun ("book
        one in the afternoon", "there is one in the evening", "one of them in the morning")."""
        before = self.w(i - 1)
        if before in ("is", "be", "was", "'s") and self.w(i - 2) in _POINTING_WORDS:
            return False  # "there is one in the afternoon"
        if i > 0 and before[:1].isalnum() and before not in _ONE_LEADS:
            return False
        return any(not p.bare and not p.needs_day for _, p, _ in self.pod(j))

    def hour_after_pod(self, k: int, joined: bool) -> bool:
        """The hour after a bare part of the day is digits, maybe after "at"/"around"
        ("morning 10", "evening around 5", "afternoon, at 3"), never a word ("the evening
        one"); after a connector only with "at" or "around" ("afternoon, around 3")."""
        p = k + (1 if self.w(k) in _HOUR_LEADS else 0)
        p += 1 if self.w(p) in APPROX_WORDS else 0
        if joined and p == k and self.w(k - 1) not in _HOUR_LEADS:
            return False  # "the afternoon, 2 people"
        return self.w(p).isdigit()

    def _whole_answer(self, i: int, j: int) -> bool:
        """Tokens i..j-1 are the whole message but for punctuation and words of politeness
        ("Early.", "late please", "very early if possible"), never a sentence ("I will be
        late", "running late", "early next week")."""
        if any(self.w(k)[:1].isalnum() for k in range(i)):
            return False
        after = self.w(j)
        return j >= self.n or not after[:1].isalnum() or after in _POD_TAIL_WORDS

    def lone_pod_ok(self, i: int, j: int) -> bool:
        """A part of the day said on its own is a time only as the answer itself
        ("afternoon", "morning please", "the afternoon or evening"), not as a greeting
        ("good morning", "Morning, can I book...") or a noun's modifier ("afternoon tea")."""
        before, after = self.w(i - 1), self.w(j)
        greeted = bool({self.w(i - 1), self.w(i - 2)} & _GREETINGS)
        if greeted or after == "!" or (i == 0 and after == "," and self.n - j > 3):
            return False  # "good morning", "hey, evening", "Evening!", "Morning, can I..."
        edge_before = i == 0 or not before[:1].isalnum() or before in _POD_LEAD_WORDS
        edge_after = j >= self.n or not after[:1].isalnum() or after in _POD_TAIL_WORDS
        return edge_before and edge_after
