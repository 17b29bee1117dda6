"""Parser state and token helpers shared by the grammar layers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from nlu.timeparse.calendar import Ctx
from nlu.timeparse.guards import blocked_tokens
from nlu.timeparse.lexicon import (
    APPROX_WORDS,
    FIXED_HOLIDAYS,
    MONTHS,
    PARTS_OF_DAY,
    QUANTITY_WORDS,
    TZ_ABBREVIATIONS,
    UNITS,
    WEEKDAY_PLURALS,
    WEEKDAYS,
)
from nlu.timeparse.model import Phrase
from nlu.timeparse.numbers import ONES, ORDINAL_WORDS, TENS
from nlu.timeparse.spelling import correct_tokens
from nlu.timeparse.tokens import Token, tokenize

T = TypeVar("T")
Comp = tuple[int, str, Any, bool]  # end, kind, meaning, latent

CONNECTORS = frozenset({",", "at", "@", "on", "of", "in", "for", "around", "about", "the"})
RANGE_SEPS = frozenset({"-", "\u2013", "\u2014", "to", "till", "until", "untill", "til",
                         "'til", "thru", "through"})  # fmt: skip
TODAY_WORDS = frozenset({"today", "tday", "tdy"})
TOMORROW_WORDS = frozenset({"tomorrow", "tomorrows", "tmrw", "tmr", "tomorow", "tommorow",
                       "tommorrow", "2moro", "tmw"})  # fmt: skip
NOW_WORDS = frozenset({"now", "atm"})
POD_WORDS = frozenset({"morning", "afternoon", "evening", "night", "lunch", "lunchtime",
                        "mornings", "afternoons", "evenings", "nights", "forenoon"})  # fmt: skip

# Verbs of a move: after them "X to Y" is an old and a new time, not a range ("move my
# booking from tuesday to thursday", "change my 3pm to 4pm").
CHANGE_VERBS = frozenset({"move", "moving", "moved", "change", "changing", "changed",
                          "reschedule", "rescheduling", "rescheduled", "shift", "shifting",
                          "push", "pushing", "postpone", "postponing", "switch", "switching",
                          "swap", "swapping", "rebook", "rebooking", "bring", "bringing",
                          "brought", "transfer", "instead"})  # fmt: skip
_SENTENCE_ENDS = frozenset({".", "?", "!", ";"})

# Words that can begin some rule; a parse never starts anywhere else (speed on long chats).
_RULE_STARTS = frozenset({
    "@", "(", "'", "a", "an", "after", "around", "at", "before", "between", "by", "coming",
    "current", "day", "early", "earlier", "following", "from", "half", "in", "just", "last",
    "late", "later", "mid", "midday", "midnight", "next", "no", "noon", "on", "overmorrow",
    "past", "previous", "quarter", "right", "since", "the", "this", "til", "till", "tonight",
    "tonite", "toniht", "until", "untill", "upcoming", "week", "weekend", "weekends", "wkend",
    "within", "yesterday", "couple", "few", "pair", "dozen", "several", "eod", "eom", "eoy",
    "eow", "end", "atm", "now", "nye", "lunch", "lunchtime", "very", "starting", "beginning",
    "not", "am", "pm",
})  # fmt: skip
STARTERS = (
    _RULE_STARTS
    | TODAY_WORDS
    | TOMORROW_WORDS
    | NOW_WORDS
    | POD_WORDS
    | APPROX_WORDS
    | set(MONTHS)
    | set(WEEKDAYS)
    | set(WEEKDAY_PLURALS)
    | set(UNITS)
    | set(QUANTITY_WORDS)
    | set(ONES)
    | set(TENS)
    | set(ORDINAL_WORDS)
    | set(TZ_ABBREVIATIONS)
    | {w for name in PARTS_OF_DAY for w in name.split()}
    | {words[0] for words, _ in FIXED_HOLIDAYS}
)


class ParserBase:
    """State and token helpers shared by the rule mixins; one instance per text."""

    def __init__(self, text: str, ctx: Ctx) -> None:
        self.text = text
        self.ctx = ctx
        # typos and shorthand of time words are read as the words ("tomoro", "2moro")
        self.toks: list[Token] = correct_tokens(text, tokenize(text), STARTERS)
        self.n = len(self.toks)
        self._memo: dict[tuple[str, int], Any] = {}
        self.inner = self._numeric_clusters()
        # moved[p]: a move verb comes before token p in its sentence
        self.moved: list[bool] = []
        seen = False
        for tok in self.toks:
            self.moved.append(seen)
            if tok.text in _SENTENCE_ENDS:
                seen = False
            elif tok.text in CHANGE_VERBS:
                seen = True
        # prices, phone numbers and addresses: no reading may use these tokens
        blocked = blocked_tokens(text, self.toks)
        self._blocked_before = [0]
        for b in blocked:
            self._blocked_before.append(self._blocked_before[-1] + b)

    # ------------------------------------------------------------------ helpers
    def _numeric_clusters(self) -> list[bool]:
        """inner[p] is True when tokens p-1 and p belong to one glued numeric run
        ("650.650.6500", "10/31/1974"), which a match may not cut."""
        toks = self.toks
        inner = [False] * (self.n + 1)
        for p in range(1, self.n):
            a, b = toks[p - 1], toks[p]
            if not b.glued:
                continue
            sep_then_digit = (a.is_digit and b.text in "/:.-" and p + 1 < self.n
                              and toks[p + 1].glued and toks[p + 1].is_digit)  # fmt: skip
            digit_after_sep = (b.is_digit and a.text in "/:.-" and p >= 2
                               and toks[p - 2].is_digit and a.glued)  # fmt: skip
            if sep_then_digit or digit_after_sep:
                inner[p] = True
        return inner

    def blocked(self, i: int, j: int) -> bool:
        """True when tokens i..j-1 include part of a price, a phone number or an address."""
        return self._blocked_before[j] > self._blocked_before[i]

    def can_start(self, i: int) -> bool:
        """Whether any rule may begin at token i (digits, known words, "...ish")."""
        t = self.toks[i]
        return t.is_digit or t.text in STARTERS or t.text.endswith("ish")

    def w(self, i: int) -> str:
        """Lower-cased token text, or "" past the end."""
        return self.toks[i].text if 0 <= i < self.n else ""

    def g(self, i: int) -> bool:
        """True when token i is glued to the previous token."""
        return 0 <= i < self.n and self.toks[i].glued

    def memo(self, name: str, i: int, fn: Callable[[int], list[T]]) -> list[T]:
        """Memoise a rule at a position."""
        key = (name, i)
        if key not in self._memo:
            self._memo[key] = fn(i)
        result: list[T] = self._memo[key]
        return result

    def words(self, i: int, *seq: str) -> int | None:
        """End index when the tokens at i spell ``seq``, else None."""
        for k, s in enumerate(seq):
            if self.w(i + k) != s:
                return None
        return i + len(seq)

    def phrase(self, i: int) -> list[tuple[int, Phrase]]:
        """Complete time expressions at i (defined by the phrase layer)."""
        raise NotImplementedError
