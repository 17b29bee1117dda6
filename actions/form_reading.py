"""What the latest message means to the booking form: answers, picks, new requests.

Read-only helpers over the tracker for actions/booking_form.py, kept apart so that the form
module holds only the extract/validate methods Rasa calls.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rasa_sdk import Tracker

from actions import time_slots
from actions.context import tenant_timezone
from actions.option_picks import pick
from actions.title_answer import (
    COMMAND_CONFIDENCE,
    COMMAND_CUES,
    TitleAnswer,
    blank_spans,
    is_command,
    is_proposal,
    is_question,
    read_title_answer,
    time_spans,
    title_and_location,
)
from actions.title_phrases import requested_thing

# Messages with these intents are not answers to the form's questions.
NOT_ANSWERS = {
    "stop",
    "bot_challenge",
    "help",
    "out_of_scope",
    "greet",
    "goodbye",
    "thank",
    "nlu_fallback",
    # A question ("anything free on Friday?") is answered, then the form goes on.
    "check_availability",
    # "Are you open on Saturday?" asks about the business; it does not choose the day.
    "ask_business",
}


def latest(tracker: Tracker) -> tuple[str, str, list[dict[str, Any]]]:
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name") or ""
    return intent, message.get("text") or "", list(message.get("entities") or [])


#: Entities that carry an answer to one of the form's questions.
VALUE_ENTITIES = frozenset({"time", "duration", "event_title"})


def answers_form(tracker: Tracker) -> bool:
    """Whether the latest message's values are answers to the form.

    The classifier's guess decides only when the message carries no value: "Could you book
    it for 3:30 pm?" (filed out of scope) and "Is there an opening on the 5th?"
    (check_availability: the day is taken and the time question offers its free times) still
    answer. Not answers: a clear stop or command, and a question that is not a request
    ("what's the weather tomorrow?").
    """
    intent, text, entities = latest(tracker)
    if intent not in NOT_ANSWERS:
        return True
    if not any(e.get("entity") in VALUE_ENTITIES for e in entities):
        return False
    if intent == "stop" and confidence(tracker) >= COMMAND_CONFIDENCE:
        return False  # "stop the jazz night booking": stopping wins over its values
    if intent in COMMAND_CUES and is_command(text, intent, confidence(tracker)):
        return False
    if intent == "check_availability":
        return has_day_or_time(entities)
    if intent == "ask_business":  # "are you open on Saturday?" is about the business's hours
        return not is_question(text, intent)
    # "How about 4 o'clock?", "Is 2:45 PM open?": whatever the classifier made of it, a
    # question proposing a day or time answers with it.
    return not is_question(text, intent) or (has_day_or_time(entities) and is_proposal(text))


def has_day_or_time(entities: list[dict[str, Any]]) -> bool:
    return any(e.get("entity") == "time" for e in entities)


def confidence(tracker: Tracker) -> float:
    message = tracker.latest_message or {}
    try:
        return float((message.get("intent") or {}).get("confidence") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def read_title(tracker: Tracker) -> TitleAnswer:
    """The title (and place) of the latest message, as the form should take it.

    Asked for the title, the answer is the title whatever the classifier guessed, unless it
    is clearly a command, a question or only a date/time (title_answer.read_title_answer).
    Otherwise only a learned `event_title` entity of a message that answers the form counts.
    """
    intent, text, entities = latest(tracker)
    asked = tracker.get_slot("requested_slot") == "event_title"
    if not asked and not answers_form(tracker):
        return TitleAnswer(None)
    titles = time_slots.entities_of(entities, "event_title")
    if titles and (not asked or answers_form(tracker)):
        rest = blank_spans(text, time_spans(entities))
        # The first piece that names something: "appointment" of "an appointment ... at
        # the salon" says less than "salon".
        for entity in titles:
            answer = title_and_location(str(entity.get("value") or ""), rest)
            if answer.title:
                return answer
    if not asked:
        return grammar_title(text, entities) if intent == "schedule_event" else TitleAnswer(None)
    if is_question(text, intent) and not is_command(text, intent, confidence(tracker)):
        return grammar_title(text, entities)  # "Can you find me a dentist?"
    return read_title_answer(text, intent, confidence(tracker), entities)


def grammar_title(text: str, entities: list[dict[str, Any]]) -> TitleAnswer:
    """The noun phrase a booking request asks for, when the model tagged no title."""
    rest = blank_spans(text, time_spans(entities))
    span = requested_thing(rest)
    if span is None:
        return TitleAnswer(None)
    return title_and_location(rest[span[0] : span[1]], rest)


def picked_start(tracker: Tracker) -> datetime | None:
    """The offered start a typed "the second one" picks, in the tenant's zone."""
    chosen = pick(latest(tracker)[1], tracker.get_slot("offered_times"))
    if not isinstance(chosen, str):
        return None
    try:
        return datetime.fromisoformat(chosen).astimezone(time_slots.tz_of(tenant_timezone(tracker)))
    except ValueError:
        return None


#: Confidence over which a booking request mid-form is a new request, not an answer.
NEW_REQUEST_CONFIDENCE = 0.7


def is_new_request(tracker: Tracker) -> bool:
    """ "Actually, book a massage on Friday at 4" while the form asks something else: a new
    booking request naming its own title, which replaces the pending one."""
    intent, _, entities = latest(tracker)
    asked = tracker.get_slot("requested_slot")
    if intent != "schedule_event" or confidence(tracker) < NEW_REQUEST_CONFIDENCE:
        return False
    if asked in (None, "event_title") or not tracker.get_slot("event_title"):
        return False
    new_title = read_title(tracker).title
    if not new_title or not time_slots.entities_of(entities, "time"):
        return False
    return new_title.lower() != str(tracker.get_slot("event_title")).lower()


def keeps_title(tracker: Tracker) -> bool:
    """Whether the title already chosen stays although the latest message has one: an answer
    to another question that names a person or place ("the 1st with Fong Michael") does not
    rename the booking; a change ("change the title to ...") or a new request does."""
    if not tracker.get_slot("event_title"):
        return False
    if tracker.get_slot("requested_slot") in (None, "event_title", "change_target"):
        return False
    return latest(tracker)[0] != "change_booking" and not is_new_request(tracker)


#: How many earlier user messages may still name the day a bare time refers to.
DAY_LOOKBACK_MESSAGES = 8


def day_said_earlier(tracker: Tracker) -> date | None:
    """The day the latest earlier message of this session named, if any."""
    zone = time_slots.tz_of(tenant_timezone(tracker))
    user_messages = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "session_started":
            break
        if kind != "user":
            continue
        user_messages += 1
        if user_messages == 1:
            continue  # the latest message itself named no day
        if user_messages > DAY_LOOKBACK_MESSAGES + 1:
            break
        entities = (event.get("parse_data") or {}).get("entities") or []
        for entity in reversed(time_slots.entities_of(entities, "time")):
            reading = time_slots.read_time_entity(entity, zone)
            phrase = str(entity.get("text") or "")
            from_button = str(event.get("text") or "").startswith("/")
            if reading and reading.day and (from_button or time_slots.mentions_day(phrase)):
                return reading.day
    return None
