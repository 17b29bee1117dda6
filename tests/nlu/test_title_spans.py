"""Title span repair: pieces joined, modifiers included, boundaries respected."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.title_spans import TitleSpanRepair, repair_titles


def _tokens(text: str) -> list[tuple[int, int, str]]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    return [(t.start, t.end, t.text) for t in tokenizer.tokenize(Message({"text": text}), "text")]


def _title(text: str, piece: str, **extra: Any) -> dict[str, Any]:
    start = text.index(piece)
    return {"entity": "event_title", "start": start, "end": start + len(piece), "value": piece,
            "extractor": "DIETClassifier", **extra}  # fmt: skip


def _titles(text: str, *pieces: str, others: list[dict[str, Any]] | None = None) -> list[str]:
    entities = [_title(text, p) for p in pieces] + list(others or [])
    repaired = repair_titles(text, _tokens(text), entities)
    return [e["value"] for e in repaired if e["entity"] == "event_title"]


@pytest.mark.parametrize(
    ("text", "pieces", "expected"),
    [
        ("can i get a crown fitting next week", ["fitting"], ["crown fitting"]),
        ("book me a hot stone massage for saturday", ["massage"], ["hot stone massage"]),
        ("arrange a call with the bank on monday", ["call with", "bank"], ["call with the bank"]),
        ("schedule a video call with investors", ["call with", "investors"],
         ["video call with investors"]),
        ("book a haircut tomorrow", ["haircut"], ["haircut"]),
        ("please reschedule my dance class", ["class"], ["dance class"]),
        ("i need to book 2 sessions", ["sessions"], ["sessions"]),
        ("lunch with mum and then dinner", ["lunch"], ["lunch"]),
        ("i need an appointment with a physio", ["appointment with", "physio"],
         ["appointment with a physio"]),
        # a title never runs over a sentence break; a piece naming nothing is dropped
        ("I'd like to see a vet. Her name is Dr. Bell.", ["vet. Her"], ["vet"]),
        ("My back hurts. Get me a masseur.", ["back hurts. Get"], ["back hurts"]),
        ("Need a tutor. Anything on friday?", ["tutor. Anything"], ["tutor"]),
        ("I need a locksmith. Can you help?", ["locksmith", "Can"], ["locksmith"]),
        # an abbreviation or an initial is no break
        ("book a fitting with Dr. Okafor", ["fitting with Dr. Okafor"],
         ["fitting with Dr. Okafor"]),
        ("a trim at the John K. salon", ["John K. salon"], ["John K. salon"]),
        ("a facial. And a massage too", ["facial", "massage"], ["facial", "massage"]),
    ],
)  # fmt: skip
def test_repair(text: str, pieces: list[str], expected: list[str]) -> None:
    assert _titles(text, *pieces) == expected


def test_time_entities_block_growth() -> None:
    text = "friday yoga class"
    friday = {"entity": "time", "start": 0, "end": 6, "value": "2026-11-27T00:00:00+00:00"}
    assert _titles(text, "yoga class", others=[friday]) == ["yoga class"]


def test_other_entities_are_untouched_and_order_kept() -> None:
    text = "change the title to team sync"
    field = {"entity": "booking_field", "start": 11, "end": 16, "value": "title"}
    entities = [_title(text, "sync"), field]
    repaired = repair_titles(text, _tokens(text), entities)
    assert repaired[0] == field
    assert repaired[1]["value"] == "team sync"


def test_component_process_rewrites_message_entities() -> None:
    text = "it's a dance class"
    message = Message({"text": text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    message.set("entities", [_title(text, "class")])
    TitleSpanRepair().process([message])
    assert [e["value"] for e in message.get("entities")] == ["dance class"]


def test_a_title_piece_inside_a_time_is_dropped() -> None:
    text = "change the date to Thursday 7 March"
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    entities = [
        {"entity": "time", "start": 19, "end": 35, "value": "x"},
        {"entity": "event_title", "start": 30, "end": 35, "value": "March"},
    ]
    assert repair_titles(text, tokens, entities) == [entities[0]]
