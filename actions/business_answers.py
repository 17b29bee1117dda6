"""Questions about the business, answered from the tenant's own data with buttons to book:
"how much is a haircut?", "what do you offer?", "how long does a massage take?", "when are
you open (on Saturday)?", "where are you?".

`answer` is pure (the catalogue and the question in, text and buttons out), `question_kind`
tells the kind of question by its cue words.

Not wired to the model yet: an `ask_business` intent trained for it cost out-of-scope rejection
(97.5 -> 95.3%) and SGD titles (87.5 -> 84.0%), both under `make test-eval`'s guards, so the
intent, its rules, its training data and the action around these answers (reading the catalogue
with actions.service_choice.business_of and the day a question names) are held back; see issue
18's note and this file's history (commit eb703af) for the action.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from actions.form_reading import VALUE_ENTITIES
from actions.service_choice import service_said
from actions.title_answer import is_question
from booking_core.catalog import BusinessInfo, ServiceInfo
from booking_core.scheduling import OpeningHours

#: The kinds of question `question_kind` tells apart (the classifier has one intent for all:
#: five small intents confused each other and the out-of-scope queries far more).
KINDS = ("price", "services", "duration", "hours", "location")
_KIND_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("duration", re.compile(r"\bhow long\b|\bhow much time\b|\bhow many (?:minutes|hours)\b|"
                            r"\bduration\b|\blength\b|\btake(?:s)? (?:long|more|less)\b|"
                            r"\b(?:is|are) (?:a |the )?[\w -]{1,30}?(?:an? )?(?:hour|minutes?)\b|"
                            r"\b(?:last|allow|set aside|long)\b|\btakes? all\b", re.I)),
    ("price", re.compile(r"\bhow much\b|\bprices?\b|\bpricey\b|\bcosts?\b|\bcharge\b|"
                         r"\bfees?\b|\brates?\b|\bexpensive\b|\bcheap\b|\bpay\b|"
                         r"\bset me back\b|\bdamage\b", re.I)),
    ("location", re.compile(r"\bwhere\b|\baddress\b|\bpost ?code\b|\bdirections?\b|\bmap\b|"
                            r"\bpark(?:ing)?\b|\bget (?:to|there)\b|\bfind (?:you|your)\b|"
                            r"\bstreet\b|\bstation\b|\bbus\b|\blocat|\bwhereabouts\b|"
                            r"\bhow far\b|\bnear(?:by|est)?\b", re.I)),
    ("hours", re.compile(r"\bopen\w*\b|\bclos(?:e|ed|ing)\b|\bshut\b|\bhours\b|"
                         r"\bwhat time\b|\bwhen do you\b|\buntil\b|\bweekends?\b|"
                         r"\bhow (?:early|late)\b|\bstart\b|\bfinish\b|\btimes\b", re.I)),
)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_BUTTONS = 10


@dataclass(frozen=True)
class Reply:
    """What to say and the buttons to offer."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def book_button(service: ServiceInfo) -> dict[str, str]:
    """ "Book Haircut": starts the booking with the service as its title."""
    payload = json.dumps({"event_title": service.name})
    return {"title": f"Book {service.name}"[:60], "payload": f"/schedule_event{payload}"}


def _line(service: ServiceInfo) -> str:
    """ "Haircut, 30 minutes, £25.00"."""
    return ", ".join(part for part in (service.name, service.length, service.price) if part)


def _contact(info: BusinessInfo) -> str:
    ways = [way for way in (info.phone, info.email) if way]
    return f" You can reach us at {' or '.join(ways)}." if ways else ""


def _ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    def hhmm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return " and ".join(f"{hhmm(start)}-{hhmm(end)}" for start, end in ranges)


def describe_hours(hours: OpeningHours) -> str:
    """ "Monday to Friday 09:00-17:00, Saturday 09:00-12:00" (runs of equal days joined)."""
    parts: list[str] = []
    day = 0
    while day < 7:
        ranges = hours.get(day, ())
        last = day
        while last + 1 < 7 and hours.get(last + 1, ()) == ranges:
            last += 1
        if ranges:
            days = DAY_NAMES[day] if last == day else f"{DAY_NAMES[day]} to {DAY_NAMES[last]}"
            parts.append(f"{days} {_ranges(ranges)}")
        day = last + 1
    return ", ".join(parts) if parts else "closed every day"


def _services_reply(info: BusinessInfo, opening: str) -> Reply:
    lines = "; ".join(_line(s) for s in info.services)
    buttons = [book_button(s) for s in info.services[:MAX_BUTTONS]]
    return Reply(f"{opening} {lines}.", buttons)


def question_kind(text: str) -> str:
    """Which of KINDS a question about the business asks, by its cue words (the length first:
    "how much time" is not a price); anything else asks what is offered."""
    for kind, cue in _KIND_CUES:
        if cue.search(text):
            return kind
    return "services"


def answer(kind: str, text: str, info: BusinessInfo, day: date | None = None) -> Reply:
    """The reply to a question of one of KINDS about `info`'s business."""
    service = service_said(text, info) if info.services else None
    if kind == "hours":
        if day is not None:
            ranges = info.hours.get(day.weekday(), ())
            name = DAY_NAMES[day.weekday()]
            said = f"We're closed on {name}."
            if ranges:
                said = f"On {name} we're open {_ranges(ranges)}."
            return Reply(f"{said} Our hours: {describe_hours(info.hours)}.")
        return Reply(f"We're open {describe_hours(info.hours)}.")
    if kind == "location":
        if not info.address and not info.map_url:
            return Reply(f"{info.name} hasn't added an address here.{_contact(info)}")
        where = f"We're at {info.address}." if info.address else "Here's where we are:"
        return Reply(f"{where} {info.map_url}" if info.map_url else where)
    if not info.services:
        return Reply(f"I can't tell you about {info.name}'s services here; I can book an "
                     f"appointment for you.{_contact(info)}")  # fmt: skip
    if service is not None:
        if kind == "price":
            text = f"I don't have a price for a {service.name.lower()}.{_contact(info)}"
            if service.price:
                text = f"A {service.name.lower()} is {service.price} ({service.length})."
        elif kind == "duration":
            text = f"A {service.name.lower()} takes {service.length}"
            text += " (you can ask for another length)." if service.duration_flexible else "."
        else:
            text = f"Yes: {_line(service)}."
            if service.description:
                text += f" {service.description}"
        return Reply(text, [book_button(service)])
    if kind == "price":
        return _services_reply(info, "Our prices:")
    if kind == "duration":
        return _services_reply(info, "How long each takes:")
    return _services_reply(info, "We offer:")


def form_value(text: str, intent: str, entities: list[dict[str, Any]]) -> bool:
    """A message carrying a value the form can take (a time, a length, a title) that is not
    put as a question: an answer to the form, whatever the classifier guessed."""
    has_value = any(e.get("entity") in VALUE_ENTITIES for e in entities)
    return has_value and not is_question(text, intent)
