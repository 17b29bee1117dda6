"""Row 3: single SGD user turns (sgd_services/user_turns.jsonl) through the NLU and the form.

Date and time: every user turn that INFORMs `appointment_date` / `appointment_time` is parsed
at SGD's "today" (the CLI's frozen clock, 2019-03-01 09:00) and handed to the booking form's
own extraction (`ValidateBookingForm.extract_event_date` / `extract_event_time`, which read the
`time` entities with `actions.time_slots.read_time_entity`), so the figure is the slot value the
form would set. Correct: equal to SGD's canonical value ("2019-03-07", "15:30").

Title: per dialogue, the user turn that says what is booked (`sgd.title_turn`) through
`extract_event_title`; correct when the title names the service (`sgd.SERVICE_WORDS`).
Dialogues whose user never names the service are left out (nothing could name it).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking_form import ValidateBookingForm
from actions.form_reading import NOT_ANSWERS
from scripts.evaluate.figures import Figure, Row, skipped
from scripts.evaluate.sgd import informs, read_jsonl, text_of, title_names_service, title_turn

NAME = "SGD turns (each as a first message)"
FILE = Path("sgd_services") / "user_turns.jsonl"
SLOTS = {"appointment_date": "event_date", "appointment_time": "event_time"}

Parse = Callable[[list[str]], Awaitable[list[dict[str, Any]]]]


class Todo(NamedTuple):
    """A turn to score: the form's slot, the words, SGD's value (the service for a title) and
    SGD's intent of the turn."""

    figure: str
    text: str
    expected: str
    sgd_intent: str


@dataclass(frozen=True)
class Case:
    """One scored turn: what was asked, what the form got, and the intent the model gave."""

    figure: str
    text: str
    expected: str
    sgd_intent: str
    got: str | None
    ok: bool
    intent: str


def cases_to_parse(turns: Sequence[Mapping[str, Any]]) -> tuple[list[Todo], int]:
    """The turns to parse, and how many dialogues never name their service."""
    todo = [
        Todo(SLOTS[slot], str(t["text"]), value, str(t.get("intent")))
        for t in turns
        for slot in SLOTS
        for value in informs(t, slot)[:1]
    ]
    by_dialogue: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for turn in turns:
        by_dialogue[str(turn["dialogue_id"])].append(turn)
    unnamed = 0
    for dialogue in by_dialogue.values():
        ordered = sorted(dialogue, key=lambda t: int(t.get("turn_index") or 0))
        service = str(ordered[0]["service"])
        chosen = title_turn(ordered, service)
        if chosen is None:
            unnamed += 1
        else:
            todo.append(Todo("event_title", text_of(chosen), service, str(chosen.get("intent"))))
    return todo, unnamed


def form_tracker(parse: Mapping[str, Any], zone: str) -> Tracker:
    """A rasa-sdk tracker whose latest message is `parse`, before the form asked anything."""
    slots = {"event_title": None, "event_date": None, "event_time": None, "requested_slot": None}
    message = {**parse, "metadata": {"timezone": zone}}
    return Tracker("eval", slots, message, [], False, None, {}, None)


async def form_value(figure: str, parse: Mapping[str, Any], zone: str) -> str | None:
    """The value the booking form extracts for `figure` from one parsed message."""
    form = ValidateBookingForm()
    extract = getattr(form, f"extract_{figure}")
    slots = await extract(CollectingDispatcher(), form_tracker(parse, zone), {})
    value = slots.get(figure)
    return None if value is None else str(value)


def judge(figure: str, expected: str, got: str | None) -> bool:
    """Dates and times must equal SGD's canonical value; a title must name the service."""
    if figure == "event_title":
        return title_names_service(got, expected)
    return got == expected


def score(cases: Sequence[Case], unnamed: int) -> tuple[list[Figure], list[str]]:
    """The row's figures and notes."""
    labels = {"event_date": "date", "event_time": "time", "event_title": "title"}
    figures = []
    for figure, label in labels.items():
        mine = [c for c in cases if c.figure == figure]
        figures.append(Figure(f"sgd_turns.{label}", label, sum(c.ok for c in mine), len(mine)))
        if figure == "event_title":
            groups = [
                (s, f"title {s}", [c for c in mine if c.expected == s])
                for s in sorted({c.expected for c in mine})
            ]
            groups += [
                (f"sgd_{i}", f"title, SGD {i} turns", [c for c in mine if c.sgd_intent == i])
                for i in sorted({c.sgd_intent for c in mine})
            ]
            figures += [
                Figure(f"sgd_turns.title:{key}", name, sum(c.ok for c in own), len(own), True)
                for key, name, own in groups
            ]
    titles = [c for c in cases if c.figure == "event_title"]
    intents = Counter(c.intent for c in titles)
    gated = Counter(c.figure for c in cases if not c.ok and c.intent in NOT_ANSWERS)
    notes = [
        f"title: {unnamed} dialogues never name their service and are not counted",
        "title turns' intents: " + ", ".join(f"{k} {v}" for k, v in intents.most_common()),
        "misses whose message the model gave an intent that is not an answer to the form "
        f"({', '.join(sorted(NOT_ANSWERS))}): "
        + ", ".join(f"{labels[k]} {v}" for k, v in sorted(gated.items())),
    ]
    return figures, notes


async def run(data: Path, parse: Parse | None, zone: str, failures: Path | None = None) -> Row:
    """Measure the row (the caller holds the frozen clock); failures go to `failures`."""
    path = data / FILE
    if not path.is_file():
        return skipped(NAME, f"{path} not found")
    if parse is None:
        return skipped(NAME, "no trained model (run `make train`)")
    todo, unnamed = cases_to_parse(read_jsonl(path))
    texts = sorted({t.text for t in todo})  # a turn informing both is parsed once
    parsed = dict(zip(texts, await parse(texts), strict=True))
    parses = [parsed[t.text] for t in todo]
    values = [await form_value(t.figure, p, zone) for t, p in zip(todo, parses, strict=True)]
    cases = [
        Case(*t, got=got, ok=judge(t.figure, t.expected, got),
             intent=str((p.get("intent") or {}).get("name")))
        for t, got, p in zip(todo, values, parses, strict=True)
    ]  # fmt: skip
    figures, notes = score(cases, unnamed)
    if failures is not None:
        failures.parent.mkdir(parents=True, exist_ok=True)
        with failures.open("w") as out:
            for case in cases:
                if not case.ok:
                    out.write(json.dumps(case.__dict__) + "\n")
    files = (f"failures: {failures}",) if failures is not None else ()
    return Row(NAME, tuple(figures), notes=tuple(notes), files=files)
