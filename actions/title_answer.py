"""What an answer to "What would you like to book?" means: a title, a place, or neither.

Pure functions (no Rasa SDK, no I/O). When the form asks for the title, people answer with
anything from "Piano recital" to "coffee with the landlord at 2250 Oak Street"; whichever
intent the classifier guesses for such a fragment, it is the title. Only an answer that is
clearly something else is not: a stop, help, yes or no (the classifier says so and the words
agree), a question, or nothing but a date, time or duration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


#: Intents that can mean "not a title", with the words that must be there to make it clear.
#: A guess alone is not enough: "Jazz night with Sam" was once classified as goodbye.
def _cues(words: str) -> frozenset[str]:
    return frozenset(words.split())


COMMAND_CUES: Mapping[str, frozenset[str]] = {
    "stop": _cues("stop cancel quit exit abort forget nevermind never mind enough end halt"),
    "help": _cues("help how what options confused explain menu"),
    "affirm": _cues(
        "yes yeah yep yup ya yea sure ok okay correct right definitely absolutely fine "
        "great perfect sounds good agreed confirm"
    ),
    "deny": _cues("no nope nah not don't dont never wrong negative"),
}
#: Intents whose question, asked mid-form, is answered before the form goes on.
QUESTION_INTENTS = frozenset(
    {"check_availability", "help", "bot_challenge", "out_of_scope", "ask_business"}
)
_QUESTION_START = re.compile(
    r"^(?:what|when|where|who|which|how|why|is|are|am|do|does|did|can|could|will|would|"
    r"have|has|any|anything)\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[a-z']+")
#: Intent confidence over which a cue-backed command is taken as said.
COMMAND_CONFIDENCE = 0.5
#: A command is short; a longer answer carrying "no" ("no-show review") is a title.
COMMAND_MAX_WORDS = 6
COMMAND_MAX_OTHER_WORDS = 2
COMMAND_FILLER = _cues(
    "thanks thank you please it that this i i'm don't dont want to the just all for now "
    "anymore need do is me so sorry actually that's let's go back with really"
)

# Filler around a title: "put X as the title", "it's X please", "call it X".
_LEADING = re.compile(
    r"^(?:(?:ok(?:ay)?|so|well|um+|uh+|hmm+|right|sure|yes|yeah|oh|"
    r"it'?s|it is|it'?ll be|it will be|that'?s|that is|this is|"
    r"(?:let'?s |please )?(?:call|name|title|label|put|mark|make|set|save|write|enter) "
    r"(?:it|this|that|them|down|in)?(?: as| down as)?|"
    r"let'?s say|say|how about|what about|i want|i'd like|i would like|i need|i wanna|"
    r"i'm after|"
    r"please|book(?: me)?(?: in)?(?: for)?|schedule|arrange|set up|make|"
    r"(?:visit|see|consult|go to|go and see|go see|get to)(?= (?:a|an|the|my|our)\b)|"
    r"the title is|the title should be|title is|title|the name is|name is|called|named|"
    r"for|just|a|an|the|my|our|to)\b[\s,:\-]*)+",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"(?:[\s,]*\b(?:as (?:the |a )?(?:title|name)|for (?:the |a )?(?:title|name)|"
    r"please|pls|plz|thanks|thank you|thx|cheers|"
    r"for|at|on|from|to|in|with|and)\b)+[\s.!?]*$",
    re.IGNORECASE,
)
#: Words that alone name nothing: a title of only these is a tagging slip ("Perfect, I").
NOT_A_TITLE_WORD = _cues(
    "i i'm im am i'd i'll i've me my we us our you your it its it's this that these those there "
    "they them he she his her a an the some any one ones want wants wanted wish like would "
    "could can will shall should may might must have has had do does did be is are was were "
    "let let's try still actually just really also so then perfect great good fine ok okay "
    "sure yes yeah yep no not sounds sound works work please thanks thank change visit see "
    "go get make book schedule need and or but with for at on in to of from by"
)

#: A street address: a house number, up to four words, a street type ("2250 Oak Street").
ADDRESS = re.compile(
    r"\b\d{1,6}[a-z]?\s+(?:[A-Za-z][A-Za-z'.\-]*\s+){0,4}?"
    r"(?:street|st|road|rd|avenue|ave|av|boulevard|blvd|lane|ln|drive|dr|way|court|ct|"
    r"place|pl|square|sq|terrace|close|crescent|cres|parkway|pkwy|highway|hwy|row|alley|"
    r"plaza|circle|cir)\b\.?(?:,?\s+(?:suite|ste|apt|unit|floor|fl)\.?\s*#?\w+)?"
    r"(?:,\s*[A-Z][A-Za-z]+(?:\s[A-Z][A-Za-z]+)?)?",
    re.IGNORECASE,
)
#: "... at the office", "... at Luigi's": a place after the title (a time never gets here:
#: time spans are removed first).
_AT_PLACE = re.compile(r"\s(?:at|@)\s+(?!\d)(?P<place>(?:the\s+)?[\w'&.\- ]{2,60})$", re.I)


@dataclass(frozen=True)
class TitleAnswer:
    """A title and, when one was given, a location; both None when it was no title."""

    title: str | None
    location: str | None = None


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower().replace("\u2019", "'"))


#: "Can you book it for 3:30?", "could I get an appointment at 2?": requests, not questions.
_REQUEST = re.compile(
    r"(?:^|[,.!?]\s*|\b(?:yes|yeah|ok|okay|sure|great|perfect|good|fine)\W+)"
    r"(?:please\s+)?(?:can|could|would|will|may)\s+(?:you|i|we)\s+(?:please\s+)?"
    r"(?:book|schedule|make|set|put|reserve|get|go ahead|have|do|see|visit|come|pencil|squeeze)\b",
    re.IGNORECASE,
)


#: "How about 4?", "Is 2:45 open?", "Do they have anything at 10?", "Can you try 11?": a
#: proposal of a day or time, put as a question; the values in it are the answer.
_PROPOSAL = re.compile(
    r"\b(?:how|what) about\b|"
    r"\b(?:is|are) there (?:any|anything|anytime|something|a|an|some|room|space)\b|"
    r"\b(?:do|does|did|would|will|could|can) (?:you|they|he|she|we|the \w+|\w+) "
    r"(?:have|has|do|try|fit|squeeze|manage|make|take|see)\b|"
    r"\b(?:can|could|shall) (?:you|we|i) (?:try|do|go for|say)\b|"
    r"\b(?:is|are|would|will) [\w: .'-]{1,30}?\b(?:open|free|available|ok|okay|possible|"
    r"fine|good|work)\b|"
    r"\bworks? (?:well |best |better )?for (?:me|us)\b",
    re.IGNORECASE,
)


def is_request(text: str) -> bool:
    """A booking request put as a question ("Can you book it for 3:30 pm?")."""
    return bool(_REQUEST.search(text))


def is_proposal(text: str) -> bool:
    """A day or time proposed as a question ("How about half past 3?", "Is 2:45 PM open?")."""
    return bool(_PROPOSAL.search(text))


def is_question(text: str, intent: str) -> bool:
    """A question the form should answer rather than book ("anything free on Friday?")."""
    stripped = text.strip()
    asks = stripped.endswith("?") or bool(_QUESTION_START.match(stripped))
    return asks and intent in QUESTION_INTENTS and not is_request(stripped)


def is_command(text: str, intent: str, confidence: float) -> bool:
    """Clearly stop, help, yes or no: the classifier says so and the words agree."""
    cues = COMMAND_CUES.get(intent)
    if cues is None or confidence < COMMAND_CONFIDENCE:
        return False
    words = _words(text)
    if not 0 < len(words) <= COMMAND_MAX_WORDS or not any(word in cues for word in words):
        return False
    # "no thanks", "never mind, cancel that": hardly a word besides cues and filler, whereas
    # "No-show review with the team" names something.
    other = [w for w in words if w not in cues and w not in COMMAND_FILLER]
    return len(other) <= COMMAND_MAX_OTHER_WORDS


def time_spans(entities: Iterable[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """Character spans of the date, time and duration entities (never part of a title)."""
    return [
        (int(e["start"]), int(e["end"]))
        for e in entities
        if e.get("entity") in {"time", "duration"} and "start" in e and "end" in e
    ]


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with the given character spans (dates, times, durations) blanked out."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)


def split_location(text: str) -> tuple[str, str | None]:
    """(the text without its place, the place): a street address, else a trailing "at X"."""
    address = ADDRESS.search(text)
    if address:
        place = address.group(0).strip(" ,.")
        rest = text[: address.start()] + " " + text[address.end() :]
        rest = re.sub(r"\s(?:at|@|in|on)\s*$", " ", rest.rstrip(" ,."), flags=re.I)
        return rest, place
    at_place = _AT_PLACE.search(text.rstrip(" .!?"))
    if at_place:
        place = at_place.group("place").strip(" ,.")
        if re.search(r"[A-Za-z]{2}", place):
            return text[: at_place.start()], place
    return text, None


#: "appointment with a dentist" -> "dentist appointment": a booking word with a common noun
#: (an article says it is one); "appointment with Dr Patel" keeps its name.
_WITH_A = re.compile(
    r"^(?P<kind>appointment|appt|booking|session|consultation|consult|check-?up)\s+"
    r"(?:with|for)\s+(?:a|an|the)\s+(?P<who>[a-z][\w'\- ]{1,40})$",
    re.IGNORECASE,
)


def _service_first(cleaned: str) -> str:
    match = _WITH_A.match(cleaned)
    if not match:
        return cleaned
    kind = match.group("kind").lower()
    return f"{match.group('who').strip()} {'appointment' if kind == 'appt' else kind}"


def tidy_title(text: str) -> str | None:
    """A whole noun phrase without filler, first letter capital; None when nothing is left."""
    cleaned = re.sub(r"\s+", " ", text).strip(" .,!?;:-\"'")
    previous = None
    while previous != cleaned:  # "ok so it's a ..." peels in several passes
        previous = cleaned
        cleaned = _LEADING.sub("", cleaned).strip(" .,!?;:-\"'")
        cleaned = _TRAILING.sub("", cleaned).strip(" .,!?;:-\"'")
    cleaned = _service_first(cleaned)
    if not cleaned or len(cleaned) > 80 or not re.search(r"[A-Za-z]", cleaned):
        return None
    if not any(len(word) > 1 and word not in NOT_A_TITLE_WORD for word in _words(cleaned)):
        return None  # "I", "Perfect, I", "Let's try": no word that names anything
    return cleaned[0].upper() + cleaned[1:]


def read_title_answer(
    text: str,
    intent: str,
    confidence: float,
    entities: Iterable[Mapping[str, Any]],
) -> TitleAnswer:
    """The title (and place) in an answer to the title question, or TitleAnswer(None)."""
    if not text.strip() or text.startswith("/"):
        return TitleAnswer(None)
    if is_command(text, intent, confidence) or is_question(text, intent):
        return TitleAnswer(None)
    rest, place = split_location(blank_spans(text, time_spans(entities)))
    return TitleAnswer(tidy_title(rest), place)


#: Said unprompted, these alone say nothing about what is booked ("I'd like an appointment"):
#: the form then asks. Given as the answer to "What would you like to book?", they are taken.
GENERIC_TITLE_WORDS = _cues("appointment appointments appt booking bookings reservation slot")


def title_and_location(title: str, text: str) -> TitleAnswer:
    """A learned title with any place taken out of it, and the message's place if any."""
    rest, place = split_location(title)
    if place is None:
        _, place = split_location(text)
    tidy = tidy_title(rest)
    if tidy and all(w in GENERIC_TITLE_WORDS or w in NOT_A_TITLE_WORD for w in _words(tidy)):
        tidy = None
    return TitleAnswer(tidy, place)
