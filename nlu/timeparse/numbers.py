"""Numbers written in words or digits ("twenty-three", "two thousand ten", "15.5")."""

from __future__ import annotations

from nlu.timeparse.tokens import Token

ONES: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS: dict[str, int] = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
                        "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}  # fmt: skip
ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})


def _tw(tokens: list[Token], i: int) -> str:
    return tokens[i].text if 0 <= i < len(tokens) else ""


def _below_hundred(tokens: list[Token], i: int) -> list[tuple[int, int]]:
    """Word numbers 0-99 starting at token i, longest reading first."""
    w = _tw(tokens, i)
    if w in ONES:
        return [(i + 1, ONES[w])]
    if w in TENS:
        out = [(i + 1, TENS[w])]
        j = i + 1
        if _tw(tokens, j) == "-" and tokens[j].glued:
            j += 1
        unit = _tw(tokens, j)
        if unit in ONES and 1 <= ONES[unit] <= 9:
            out.insert(0, (j + 1, TENS[w] + ONES[unit]))
        return out
    return []


def word_number(tokens: list[Token], i: int) -> list[tuple[int, int]]:
    """Every reading of a number in words at token i as (end token, value), longest first."""
    out: list[tuple[int, int]] = []
    for j, v in _below_hundred(tokens, i):
        out.append((j, v))
        w = _tw(tokens, j)
        if w == "hundred" and 1 <= v <= 9:
            base = v * 100
            out.insert(0, (j + 1, base))
            k = j + 1 + (1 if _tw(tokens, j + 1) == "and" else 0)
            for k2, v2 in _below_hundred(tokens, k):
                out.insert(0, (k2, base + v2))
        elif w == "thousand" and 1 <= v <= 99:
            base = v * 1000
            out.insert(0, (j + 1, base))
            k = j + 1 + (1 if _tw(tokens, j + 1) == "and" else 0)
            for k2, v2 in _below_hundred(tokens, k):
                out.insert(0, (k2, base + v2))
    out.sort(key=lambda p: -p[0])
    return out


def integer(tokens: list[Token], i: int) -> list[tuple[int, int]]:
    """An integer in digits or words at token i, longest reading first."""
    t = tokens[i] if 0 <= i < len(tokens) else None
    if t is None:
        return []
    if t.is_digit:
        return [(i + 1, int(t.text))]
    return word_number(tokens, i)


def decimal(tokens: list[Token], i: int) -> list[tuple[int, float]]:
    """A number that may carry a decimal part ("1.5", "15.5"), longest first."""
    out: list[tuple[int, float]] = []
    t = tokens[i] if 0 <= i < len(tokens) else None
    if t is None:
        return out
    if (
        t.is_digit
        and _tw(tokens, i + 1) in {".", ","}
        and i + 2 < len(tokens)
        and tokens[i + 1].glued
        and tokens[i + 2].glued
        and tokens[i + 2].is_digit
    ):
        out.append((i + 3, float(f"{t.text}.{tokens[i + 2].text}")))
    out.extend((j, float(v)) for j, v in integer(tokens, i))
    return out


def ordinal(tokens: list[Token], i: int) -> list[tuple[int, int]]:
    """An ordinal day number: "3rd", "21st", "third", "twenty-first", "thirty first"."""
    t = tokens[i] if 0 <= i < len(tokens) else None
    if t is None:
        return []
    if t.is_digit and len(t.text) <= 2:
        suffix = _tw(tokens, i + 1)
        if suffix in ORDINAL_SUFFIXES and tokens[i + 1].glued:
            return [(i + 2, int(t.text))]
        return []
    if t.text in ORDINAL_WORDS:
        return [(i + 1, ORDINAL_WORDS[t.text])]
    if t.text in TENS:
        j = i + 1
        if _tw(tokens, j) == "-" and tokens[j].glued:
            j += 1
        w = _tw(tokens, j)
        if w in ORDINAL_WORDS and ORDINAL_WORDS[w] <= 9:
            return [(j + 1, TENS[t.text] + ORDINAL_WORDS[w])]
    return []
