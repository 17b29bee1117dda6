"""Parser state and token helpers shared by the grammar layers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from nlu.timeparse.calendar import (
    Ctx,
)
from nlu.timeparse.model import Phrase
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
                        "mornings", "afternoons", "evenings", "nights"})  # fmt: skip


class ParserBase:
    """State and token helpers shared by the rule mixins; one instance per text."""

    def __init__(self, text: str, ctx: Ctx) -> None:
        self.text = text
        self.ctx = ctx
        self.toks: list[Token] = tokenize(text)
        self.n = len(self.toks)
        self._memo: dict[tuple[str, int], Any] = {}
        self.inner = self._numeric_clusters()

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
