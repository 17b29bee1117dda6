"""Tokenizer keeping exact character offsets, so every entity span maps back to the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+(?:'[^\W\d_]+)?|\S", re.UNICODE)


@dataclass(frozen=True)
class Token:
    """One token: lower-cased text, character span and whether it is glued to the previous."""

    text: str
    start: int
    end: int
    glued: bool  # no whitespace between this token and the previous one

    @property
    def is_digit(self) -> bool:
        """True for a run of ASCII digits."""
        return self.text.isdigit()


def tokenize(text: str) -> list[Token]:
    """Split text into digit runs, words (with inner apostrophes) and single symbols."""
    tokens: list[Token] = []
    prev_end = -1
    # curly apostrophes become straight ones: same length, so offsets stay exact
    for m in _TOKEN_RE.finditer(text.replace("\u2019", "'")):
        tokens.append(Token(m.group(0).lower(), m.start(), m.end(), m.start() == prev_end))
        prev_end = m.end()
    return tokens
