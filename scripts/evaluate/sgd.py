"""The SGD Services_* data as the evaluation reads it: records, goals and service words.

Pure (no Rasa, no I/O beyond reading the JSON lines), so the rules are unit-tested: which
words name a service in a title, what a dialogue's goal is, which of the user's own words
informed each goal value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

#: The day SGD's dialogues happen: "tomorrow" is 2019-03-02 in their canonical values.
SGD_TODAY = date(2019, 3, 1)

#: Words that name each service in a title (whole words, any case). Generic words such as
#: "appointment", "booking", "visit" or "meeting" are not here on purpose: a title made only of
#: them does not say what is booked. "dr" counts for the doctor only (dentists are doctors too,
#: but "Dr. Lim" for a dentist does not say "dentist").
SERVICE_WORDS: dict[str, tuple[str, ...]] = {
    "Services_1": (
        "hair", "haircut", "haircuts", "hairdresser", "hairdressers", "hairstylist", "hairstyle",
        "hairdo", "stylist", "salon", "salons", "barber", "barbers", "barbershop", "trim",
    ),
    "Services_2": (
        "dentist", "dentists", "dental", "dentistry", "teeth", "tooth", "toothache",
        "orthodontist",
    ),
    "Services_3": (
        "doctor", "doctors", "dr", "physician", "gp", "practitioner", "checkup", "check-up",
        "check up", "medical", "dermatologist", "ophthalmologist", "gynecologist",
        "gynaecologist", "ent",
    ),
}  # fmt: skip

#: What the simulated customer says when the dialogue has no words of its own for the title.
PLAIN_TITLES: dict[str, str] = {
    "Services_1": "a haircut",
    "Services_2": "a dentist appointment",
    "Services_3": "a doctor's appointment",
}

_PATTERNS = {
    service: re.compile(
        r"(?<![a-z])(?:" + "|".join(re.escape(w).replace(r"\ ", r"[\s-]?") for w in words)
        + r")(?![a-z])",
        re.IGNORECASE,
    )
    for service, words in SERVICE_WORDS.items()
}  # fmt: skip


def names_service(text: str | None, service: str) -> bool:
    """Whether `text` (a title or an utterance) names the service with one of its words."""
    return bool(text) and bool(_PATTERNS[service].search(str(text)))


#: A sentence break inside a title ("Teeth hurt. Get", "Works. I"): pieces of sentences, not a
#: title, even when a service word is among them. Abbreviations ("Dr. Lim") are not breaks.
_SENTENCE_BREAK = re.compile(
    r"(?<!\bdr)(?<!\bmr)(?<!\bms)(?<!\bmrs)(?<!\bst)[.!?]\s+\S", re.IGNORECASE
)


def title_names_service(title: str | None, service: str) -> bool:
    """A booked title is right: it names the service and is not pieces of sentences."""
    return names_service(title, service) and not _SENTENCE_BREAK.search(str(title))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every record of a JSON-lines file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def informs(turn: Mapping[str, Any], slot: str) -> list[str]:
    """The canonical values a user turn INFORMs for `slot`."""
    return [
        str(action["canonical_values"][0])
        for action in turn.get("actions") or []
        if action.get("act") == "INFORM"
        and action.get("slot") == slot
        and action.get("canonical_values")
    ]


@dataclass(frozen=True)
class Goal:
    """What the customer of one SGD dialogue wants, and the words it used for it.

    `date` and `time` come from the dialogue's final BookAppointment call. `*_words` are the
    user's own utterances that gave each value, best first: for the date and the time only
    utterances whose date and time informs all agree with the goal (a user who first asked for
    the 8th and settled for the 10th said "the 8th" in words the customer must not repeat).
    """

    dialogue_id: str
    service: str
    date: date
    time: str
    opening: str
    title_words: tuple[str, ...]
    date_words: tuple[str, ...]
    time_words: tuple[str, ...]
    #: Dates ("2019-03-08") and times ("16:45") the opening or the title words give that are not
    #: the goal's: the user's first choice, changed later in SGD when it was taken.
    stale: frozenset[str] = frozenset()


def user_turns(dialogue: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The USER turns of a dialogue, in order."""
    return [t for t in dialogue.get("turns") or [] if t.get("speaker") == "USER"]


def asks_to_book(turn: Mapping[str, Any]) -> bool:
    """The turn where the user states the booking intent (SGD's INFORM_INTENT BookAppointment)."""
    return any(
        a.get("act") == "INFORM_INTENT" and "BookAppointment" in (a.get("values") or [])
        for a in turn.get("actions") or []
    )


def opening_turn(dialogue: Mapping[str, Any]) -> dict[str, Any]:
    """The first user turn that asks to book, else the first user turn."""
    turns = user_turns(dialogue)
    return next((t for t in turns if asks_to_book(t)), turns[0])


def text_of(turn: Mapping[str, Any]) -> str:
    """A user turn's words (`utterance` in dialogues.jsonl, `text` in user_turns.jsonl)."""
    return str(turn.get("utterance", turn.get("text")) or "")


def title_turn(turns: Iterable[Mapping[str, Any]], service: str) -> Mapping[str, Any] | None:
    """The user turn whose title is scored: the first BookAppointment turn that names the
    service, else the first user turn that names it (most users name it while searching, "I
    need a dentist", then book with "yes, book it"); None when the user never names it."""
    named = [t for t in turns if names_service(text_of(t), service)]
    booking = [t for t in named if t.get("intent") == "BookAppointment"]
    return next(iter(booking or named), None)


def _consistent(turn: Mapping[str, Any], day: str, start: str) -> bool:
    return all(v == day for v in informs(turn, "appointment_date")) and all(
        v == start for v in informs(turn, "appointment_time")
    )


def goal_of(dialogue: Mapping[str, Any]) -> Goal | None:
    """The goal of a dialogue, or None without a BookAppointment call."""
    calls = [c for c in dialogue.get("service_calls") or [] if c.get("method") == "BookAppointment"]
    if not calls:
        return None
    params = calls[-1].get("parameters") or {}
    day, start = params.get("appointment_date"), params.get("appointment_time")
    if not day or not start:
        return None
    service = str(dialogue["service"])
    turns = user_turns(dialogue)

    def words(slot: str, value: str) -> tuple[str, ...]:
        given = [t for t in turns if value in informs(t, slot) and _consistent(t, day, start)]
        return tuple(str(t["utterance"]) for t in reversed(given))  # the last word first

    titled = [t for t in turns if names_service(t.get("utterance"), service)]
    said = [opening_turn(dialogue), *titled[:1]]
    stale = {v for t in said for v in informs(t, "appointment_date") if v != day} | {
        v for t in said for v in informs(t, "appointment_time") if v != start
    }
    return Goal(
        dialogue_id=str(dialogue["dialogue_id"]),
        service=service,
        date=date.fromisoformat(str(day)),
        time=str(start),
        opening=str(opening_turn(dialogue)["utterance"]),
        title_words=tuple(str(t["utterance"]) for t in titled[:1]),
        date_words=words("appointment_date", str(day)),
        time_words=words("appointment_time", str(start)),
        stale=frozenset(stale),
    )


def goals(dialogues: Iterable[Mapping[str, Any]]) -> Iterator[Goal]:
    """The goals of the dialogues that have one."""
    for dialogue in dialogues:
        goal = goal_of(dialogue)
        if goal is not None:
            yield goal
