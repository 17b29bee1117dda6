"""The thing a booking request asks for, read from its grammar when the model tagged none.

DIET tags titles from examples, so a phrasing it has not seen ("I think I might be sick and
need to visit a doctor") can come back with no title although the sentence says plainly
what is wanted: the noun phrase after a booking verb or "appointment with". This reads that
phrase; it is used only for messages that are booking requests or answers to the title
question, never to decide that a message is one.
"""

from __future__ import annotations

import re

#: Verbs and nouns after which "a/an/the X" is what is booked.
_CUE = (
    r"(?:appointment|appt|booking|session|consultation|slot|visit)\s+(?:with|at|for)"
    r"|see|visit|consult|find|locate|recommend|need|want|get|book|go\s+to|get\s+to|go\s+see"
    r"|looking\s+for|look\s+for|search\s+for"
)
#: Words that end the phrase: prepositions, conjunctions, pronouns, time words.
_STOP = frozenset(
    """
    in on at for to with near around by from about of into after before until till this
    next that who which where when and or but so because if as than tomorrow today tonight
    soon asap please pls now then there here me you him her them us it someone anyone
    something anything one ones appointment appointments appt booking session soonest
    dr mr mrs ms prof
    """.split()  # noqa: SIM905 - a word list reads better as text
)
#: Words that say how good, not what: "a good, local dentist" is a dentist.
_QUALITY = frozenset(
    """
    good new local nearby nice great decent reliable qualified proper nearest best cheap
    affordable available open free quick
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_PHRASE = re.compile(
    rf"\b(?:{_CUE})\s+(?:(?:me|us)\s+)?(?:in\s+with\s+)?(?:a|an|the|my|our|some)\s+"
    r"(?P<phrase>[A-Za-z][A-Za-z'\-]*(?:,?\s+[A-Za-z][A-Za-z'\-]*){0,4})",
    re.IGNORECASE,
)
MAX_WORDS = 3


def requested_thing(text: str) -> tuple[int, int] | None:
    """Character span of what a booking request asks for ("need to visit a doctor" ->
    "doctor"), or None when no booking verb is followed by a noun phrase."""
    position = 0
    while (match := _PHRASE.search(text, position)) is not None:
        position = match.start() + 1  # "book an appointment at a salon": try each cue
        start = match.start("phrase")
        words = list(re.finditer(r"[A-Za-z][A-Za-z'\-]*", match.group("phrase")))
        kept: list[re.Match[str]] = []
        for word in words:
            lower = word.group(0).lower()
            gap = match.group("phrase")[kept[-1].end() : word.start()] if kept else ""
            if lower in _STOP or (kept and re.search(r"[,.!?;:]", gap)):
                break
            if not kept and lower in _QUALITY:
                continue
            kept.append(word)
            if len(kept) == MAX_WORDS:
                break
        if kept:
            return start + kept[0].start(), start + kept[-1].end()
    return None
