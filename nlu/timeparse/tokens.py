"""Tokenizer keeping exact character offsets, so every entity span maps back to the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+(?:'[^\W\d_]+)?|\S", re.UNICODE)
# Marks people type for the apostrophe of "o'clock": SGD's `o"clock`, "o`clock", acute
# accents, curly and prime quotes.
_QUOTES = frozenset("'\"`\u00b4\u2018\u2019\u201c\u201d\u02bc\u2032")


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
    for m in _TOKEN_RE.finditer(text.replace("\u2019", "'").replace("\u02bc", "'")):
        tokens.append(Token(m.group(0).lower(), m.start(), m.end(), m.start() == prev_end))
        prev_end = m.end()
    return _join_spellings(tokens)


def _join_spellings(tokens: list[Token]) -> list[Token]:
    """One "o'clock" token for every way of typing it ("oclock", "o clock", `o"clock`,
    "o`clock", "o\u2018clock") and one glued "ish" for "-ish" ("10-ish", "noon-ish"), so that
    no rule has to know the variants."""
    out: list[Token] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        end = None
        if (tok.text == "-" and tok.glued and i + 1 < n and tokens[i + 1].text == "ish"
                and tokens[i + 1].glued):  # fmt: skip
            out.append(Token("ish", tok.start, tokens[i + 1].end, True))
            i += 2
            continue
        if tok.text == "oclock":
            end = i + 1
        elif tok.text == "o" and i + 1 < n:
            nxt = tokens[i + 1]
            if nxt.text == "clock":
                end = i + 2
            elif (nxt.text in _QUOTES and i + 2 < n and tokens[i + 2].text == "clock"
                  and (nxt.glued or tokens[i + 2].glued)):  # fmt: skip
                end = i + 3
        if end is None:
            out.append(tok)
            i += 1
            continue
        out.append(Token("o'clock", tok.start, tokens[end - 1].end, tok.glued))
        i = end
    return out
