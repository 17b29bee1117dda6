"""Which of a business's services a customer asks for: "hair cut", "haircuts", "a haicut",
"a cut and blow-dry" (for a service named "Blow-dry & cut").

Pure and deterministic: the caller passes the tenant's services (name and synonyms) and the
customer's words. Each name and synonym is reduced to its content words, singular, without
case, punctuation or filler ("a", "my", "and", "appointment"), then compared with every short
run of the customer's words:
- exact (score 100): the same words in any order, or the same letters once spaces are gone
  ("hair cut" = "haircut", "blow dry" = "blow-dry");
- a typo (score 90 - 5 per edit): the letters differ by one edit (two for 9+ letters, optimal
  string alignment so a swapped pair is one), and only when the customer's word is not itself
  an English word, so "message" never becomes "massage" nor "cat" "cut";
- part of a longer name (score 60-75): "haircut" for "Men's haircut", so two services that
  share a word are offered as a choice instead of one being guessed.
`best_service` returns a match only when it is clear (exact or typo, and ahead of the next
service, where a match inside a longer one's words does not count: "men's haircut" is the
"Men's haircut", not the "Haircut"); `service_matches` lists every candidate, best first
(longer phrases first among equals), for buttons.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from nlu.timeparse.spelling import dictionary

#: Words that never tell services apart.
FILLER = frozenset({
    "a", "an", "the", "my", "our", "your", "his", "her", "their", "some", "and", "with", "plus",
    "for", "of", "please", "appointment", "appt", "session", "booking", "service", "treatment",
})  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
#: Clear winners only: at least this score and this far ahead of the next service.
CLEAR_SCORE = 80.0
CLEAR_MARGIN = 10.0
MIN_SCORE = 60.0


@dataclass(frozen=True)
class Offering:
    """What matching needs of a service."""

    id: int
    name: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceMatch:
    """A service the words may mean, how sure (0-100) and which words said it."""

    offering: Offering
    score: float
    phrase: str
    #: Which content words of the text it matched ([start, end) in `words_of(text)`).
    span: tuple[int, int] = (0, 0)

    def within(self, other: ServiceMatch) -> bool:
        """True when these words are a proper part of the other match's words ("haircut" of
        "men's haircut"), so the other, longer name is what was asked for."""
        (start, end), (o_start, o_end) = self.span, other.span
        return o_start <= start and end <= o_end and (o_end - o_start) > (end - start)


def singular(word: str) -> str:
    """English plural to singular for the regular endings ("haircuts", "massages", "therapies",
    "lashes"); short words and "-ss"/"-us"/"-is" endings stay."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words_of(text: str) -> list[tuple[str, str]]:
    """(content word, as typed) pairs: casefolded, accents kept apart, possessives dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    folded = folded.replace("\u2019", "'")
    found: list[tuple[str, str]] = []
    for match in _WORD.finditer(folded):
        typed = match.group()
        word = typed[:-2] if typed.endswith("'s") else typed.replace("'", "")
        if word and word not in FILLER:
            found.append((singular(word), typed))
    return found


@dataclass(frozen=True)
class _Variant:
    words: tuple[str, ...]

    @property
    def letters(self) -> str:
        return "".join(self.words)


@lru_cache(maxsize=1024)
def _variants(offering: Offering) -> tuple[_Variant, ...]:
    names = (offering.name, *offering.synonyms)
    found = {tuple(w for w, _ in words_of(name)) for name in names}
    return tuple(_Variant(words) for words in found if words)


def _allowed_edits(letters: str) -> int:
    return 2 if len(letters) >= 9 else 1 if len(letters) >= 5 else 0


def _score(window: tuple[str, ...], variant: _Variant) -> float:
    """How well these customer words say this name (0: not at all)."""
    letters = "".join(window)
    if sorted(window) == sorted(variant.words) or letters == variant.letters:
        return 100.0
    allowed = _allowed_edits(variant.letters)
    if allowed and abs(len(letters) - len(variant.letters)) <= allowed:
        known = dictionary()
        typo = [w for w in window if w not in variant.words and w not in known]
        if typo:
            edits = OSA.distance(letters, variant.letters, score_cutoff=allowed)
            if edits <= allowed:
                return 90.0 - 5.0 * edits
    if set(window) < set(variant.words) and max(len(w) for w in window) >= 4:
        share = len("".join(window)) / len(variant.letters)
        return MIN_SCORE + 15.0 * share
    return 0.0


def service_matches(text: str, offerings: Sequence[Offering]) -> list[ServiceMatch]:
    """Every service the text may ask for (score >= MIN_SCORE), best first, ties by name."""
    words = words_of(text)
    found: list[ServiceMatch] = []
    for offering in offerings:
        best, span = 0.0, (0, 0)
        for variant in _variants(offering):
            longest = len(variant.words) + 1
            for start in range(len(words)):
                for size in range(1, min(longest, len(words) - start) + 1):
                    score = _score(tuple(w for w, _ in words[start : start + size]), variant)
                    if (score, size) > (best, span[1] - span[0]):
                        best, span = score, (start, start + size)
        if best >= MIN_SCORE:
            phrase = " ".join(typed for _, typed in words[span[0] : span[1]])
            found.append(ServiceMatch(offering, best, phrase, span))
    return sorted(found, key=lambda m: (-m.score, m.span[0] - m.span[1], m.offering.name.lower()))


def best_service(text: str, offerings: Sequence[Offering]) -> ServiceMatch | None:
    """The one service the text clearly asks for, or None (nothing, or a choice to offer)."""
    clear = [m for m in service_matches(text, offerings) if m.score >= CLEAR_SCORE]
    # A name said inside a longer clear one ("massage" of "deep tisue massage") gives way.
    outer = [m for m in clear if not any(m.within(other) for other in clear)]
    if not outer:
        return None
    if len(outer) > 1 and outer[0].score - outer[1].score < CLEAR_MARGIN:
        return None
    return outer[0]
