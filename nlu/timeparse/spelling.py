"""Typos and chat shorthand of the time lexicon ("tomoro", "thursdy", "febuary", "2moro").

People type fast: a misspelt weekday or "tomorrow" must still book the right day.  The
correction only ever rewrites a token into a word of the small time lexicon, and only when
the token is not itself a word: anything in an English dictionary (which carries common
first names too: "Monica", "Mary", "Marc", "Sandy") stays as it is.  The dictionary is
pyspellchecker's English word list; rapidfuzz measures the edit distance (optimal string
alignment, so a swapped pair of letters is one edit).  Offsets never move: a corrected token
keeps the span of what was typed.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

from nlu.timeparse.lexicon import MONTHS, WEEKDAYS
from nlu.timeparse.numbers import ONES, TENS
from nlu.timeparse.tokens import Token

# Whole-token shorthand: read as the word, never measured.
ALIASES: dict[str, str] = {
    "tmrw": "tomorrow", "tmrow": "tomorrow", "tmorow": "tomorrow", "tomm": "tomorrow",
    "tmro": "tomorrow", "2moro": "tomorrow", "2morrow": "tomorrow", "2morow": "tomorrow",
    "2mrw": "tomorrow", "2moz": "tomorrow", "2day": "today", "2nite": "tonight",
    "2night": "tonight", "tonite": "tonight", "tonit": "tonight", "nite": "night",
    "weds": "wednesday", "wednes": "wednesday", "rightnow": "now", "nxt": "next",
    "morn": "morning", "arvo": "afternoon", "midnite": "midnight", "yday": "yesterday",
    "ystrdy": "yesterday",
}  # fmt: skip
# "2" glued to these is the chat spelling of a day word ("2moro", "2day", "2nite").
_DIGIT_TWO = {"moro": "tomorrow", "morrow": "tomorrow", "morow": "tomorrow", "mrw": "tomorrow",
              "moz": "tomorrow", "day": "today", "nite": "tonight", "night": "tonight"}  # fmt: skip
# Before these, "2day"/"2night" is a count ("a 2day course", "for 2night").
_COUNT_WORDS = frozenset({"a", "an", "the", "for", "per", "each", "every", "in", "of"})

# The words a typo may be corrected to (short ones, "may", "june", "noon", are too close to
# ordinary words and names to guess at).
TARGETS: tuple[str, ...] = tuple(sorted(
    {w for w in WEEKDAYS if len(w) >= 6} | {w for w in MONTHS if len(w) >= 5}
    | {"today", "tomorrow", "tonight", "yesterday", "midnight", "morning", "afternoon",
       "evening", "night", "weekend", "minute", "minutes", "hours", "seconds", "fortnight",
       "lunchtime", "quarter"}
))  # fmt: skip
MIN_LENGTH = 5

# Short clock words, guessed only next to another clock word ("halfe past eight", "half past
# eigth", "fiev o'clock", "quater to 3"): alone, "halfe" or "nien" could be anything.
CLOCK_TARGETS: tuple[str, ...] = tuple(sorted(
    {"half", "past", "quarter", "oclock"} | {w for w, v in ONES.items() if 1 <= v <= 19}
    | {w for w, v in TENS.items() if v <= 50 and w != "fourty"}
))  # fmt: skip
_CLOCK_NEIGHBOURS = frozenset({"half", "past", "quarter", "o'clock", "am", "pm", "a.m", "p.m",
                               "at", "to", "till", "til", "until", "after", "before",
                               "around", "about"}) | frozenset(ONES) | frozenset(TENS)  # fmt: skip
CLOCK_MIN_LENGTH = 4


def _load_dictionary() -> frozenset[str]:
    """pyspellchecker's English words (about 160,000, names included)."""
    data = (resources.files("spellchecker") / "resources" / "en.json.gz").read_bytes()
    return frozenset(json.loads(gzip.decompress(data)))


# Loaded at import (about 0.2 s), so that no call pays it inside its deadline.
_DICTIONARY = _load_dictionary()


def dictionary() -> frozenset[str]:
    """The English word list the correction never rewrites."""
    return _DICTIONARY


@lru_cache(maxsize=4096)
def correction(word: str, strict: bool = False) -> str | None:
    """The time word a non-word token was meant to be, or None.

    Same first letter, one edit for targets under 8 letters and two for longer ones
    ("tomoro" -> "tomorrow"), at least 6 letters unless the target has 5, a single best
    target, never a dictionary word.  ``strict`` (a capitalised word, maybe a name the
    dictionary lacks) allows one edit only.
    """
    if len(word) < MIN_LENGTH or not word.isalpha() or word in dictionary():
        return None
    pool = [t for t in TARGETS if t[0] == word[0]]
    found = process.extract(word, pool, scorer=OSA.distance, score_cutoff=2, limit=2)
    # a 5-letter token only for a 5-letter word ("nigth"), never "frida" -> "friday"
    best = [(t, d) for t, d, _ in found
            if d <= (1 if strict or len(t) < 8 else 2) and len(word) >= min(6, len(t))]  # fmt: skip
    if not best:
        return None
    if len(best) > 1 and best[1][1] == best[0][1] and \
            best[0][0].rstrip("s") != best[1][0].rstrip("s"):  # fmt: skip
        return None  # two different words are as close: no guess ("minute"/"minutes" agree)
    return best[0][0]


@lru_cache(maxsize=4096)
def clock_correction(word: str) -> str | None:
    """The short clock word a non-word token next to a clock word was meant to be ("halfe"
    -> "half", "eigth" -> "eight", "oclok" -> "o'clock"): one edit, same first letter, a
    single nearest word, never a dictionary word."""
    if len(word) < CLOCK_MIN_LENGTH or not word.isalpha() or word in dictionary():
        return None
    pool = [t for t in CLOCK_TARGETS if t[0] == word[0]]
    found = process.extract(word, pool, scorer=OSA.distance, score_cutoff=1, limit=2)
    if not found or (len(found) > 1 and found[1][1] == found[0][1]):
        return None
    return "o'clock" if found[0][0] == "oclock" else found[0][0]


def _near_clock_word(toks: list[Token], i: int) -> bool:
    """A neighbour of token i is a clock word or a number ("halfe past", "at eigth")."""
    return any(0 <= k < len(toks) and (toks[k].text in _CLOCK_NEIGHBOURS or toks[k].is_digit)
               for k in (i - 1, i + 1))  # fmt: skip


def _capitalised(text: str, tok: Token) -> bool:
    """A capitalised word ("Frida", not "FRIDAY"): maybe a name the dictionary lacks."""
    said = text[tok.start : tok.end]
    return said[:1].isupper() and not said.isupper()


def correct_tokens(text: str, toks: list[Token], known: frozenset[str]) -> list[Token]:
    """Tokens with shorthand and typos of time words rewritten (same spans).

    ``known`` is every word some rule reads already; those are never touched.
    """
    out: list[Token] = []
    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < n else None
        if (tok.text == "2" and nxt is not None and nxt.glued and nxt.text in _DIGIT_TWO
                and not (i + 2 < n and toks[i + 2].glued and toks[i + 2].text[:1].isalnum())
                and not (out and out[-1].text in _COUNT_WORDS)):  # fmt: skip
            out.append(Token(_DIGIT_TWO[nxt.text], tok.start, nxt.end, tok.glued))
            i += 2
            continue
        word = tok.text
        fixed: str | None = None
        if word in ALIASES and word not in known:
            fixed = ALIASES[word]
        elif word not in known and len(word) >= CLOCK_MIN_LENGTH:
            capitalised = _capitalised(text, tok)
            if len(word) >= MIN_LENGTH:
                fixed = correction(word, capitalised)
            if fixed is None and not capitalised and _near_clock_word(toks, i):
                fixed = clock_correction(word)  # a name ("Sven at 5") is never guessed here
        out.append(tok if fixed is None else Token(fixed, tok.start, tok.end, tok.glued))
        i += 1
    return out


def corrections(text: str, toks: list[Token], known: frozenset[str]) -> list[tuple[str, str]]:
    """(typed, read as) for every token the correction rewrote: what the evaluation counts."""
    fixed = correct_tokens(text, toks, known)
    spans = {(t.start, t.end): t.text for t in toks}
    return [(text[t.start:t.end], t.text) for t in fixed
            if spans.get((t.start, t.end)) != t.text]  # fmt: skip
