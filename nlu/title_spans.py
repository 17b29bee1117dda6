"""Repair the span of learned `event_title` entities.

DIET tags tokens one by one and, with a few hundred examples, often keeps only the head of a
title ("crown [fitting]", "dance [class]") or splits it ("[call with] the [bank]"). A title is
one contiguous noun phrase, so this component, placed after DIET, joins pieces separated only
by linking words and grows a title leftwards over modifiers, stopping at determiners, verbs,
prepositions, numbers and any date, time or duration. Measured on the held-out NLU file in
docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

# Words that never start a title: they end the leftward growth.
BOUNDARY_WORDS = frozenset(
    """
    a an the my our your his her their this that these those some any another new
    i me we us you it its it's i'd i'm i'll we'd we're you're he she they them
    book booking booked schedule arrange set setup put add get make need needs want wants
    like have has had do does did organise organize reserve plan pencil fix move
    reschedule cancel delete postpone push bring change shift sort squeeze slot fit
    is are was were be been being can could would will shall should may might must
    please pls plz just also really actually maybe then so ok okay yes no hi hello hey
    for in on at to with from of about up into by after before until till around
    and or but if when what which who where how
    event called named title titled
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Words that may sit inside one title between two pieces ("call with the bank",
# "appointment with a dentist").
LINK_WORDS = frozenset({"with", "the", "a", "an", "and", "&", "of", "s", "'s"})
_WORD = re.compile(r"^[A-Za-z][A-Za-z'\-]*$")
# A sentence ends at . ! ? or ; before a space, except after an abbreviation or an initial
# ("Dr. Lim", "Alexander G. salon"): "I'd like to see a dentist. His name is ..." holds the
# title "dentist", never "dentist. His".
_BREAK = re.compile(r"[.!?;]+(?=\s|$)")
_ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "st", "prof", "jr", "sr", "inc", "co", "ltd", "no", "vs", "etc"}
)
# A piece of a title that holds only these words names nothing ("His", "Can", "Someone").
_EMPTY_WORDS = BOUNDARY_WORDS | {"someone", "anyone", "something", "anything"}


def _breaks(text: str) -> list[int]:
    """Offsets where a sentence ends in `text` (the position of its punctuation)."""
    points = []
    for match in _BREAK.finditer(text):
        word = re.search(r"([A-Za-z]+)$", text[: match.start()])
        if match.group(0) == "." and word and (
            word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1
        ):
            continue
        points.append(match.start())
    return points


def _names_something(piece: str) -> bool:
    return any(w.lower() not in _EMPTY_WORDS for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", piece))


def split_at_sentence_breaks(text: str, entity: dict[str, Any]) -> list[dict[str, Any]]:
    """The title cut at sentence breaks, keeping the pieces that name something."""
    start, end = int(entity["start"]), int(entity["end"])
    cuts = [p for p in _breaks(text) if start <= p < end]
    if not cuts:
        return [entity] if _names_something(text[start:end]) else []
    pieces = []
    bounds = [start, *cuts, end]
    for left, right in pairwise(bounds):
        piece = text[left:right]
        stripped = piece.strip(" .!?;,")
        if not stripped or not _names_something(stripped):
            continue
        offset = left + piece.index(stripped)
        pieces.append(
            {**entity, "start": offset, "end": offset + len(stripped), "value": stripped}
        )
    return pieces


def _is_modifier(token_text: str) -> bool:
    word = token_text.lower()
    return bool(_WORD.match(token_text)) and word not in BOUNDARY_WORDS


def repair_titles(
    text: str, tokens: Sequence[tuple[int, int, str]], entities: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return the entities with `event_title` spans joined and grown (others untouched).

    `tokens` are (start, end, text) of the message's tokens in order.
    """
    titles = sorted(
        (e for e in entities if e.get("entity") == "event_title" and "start" in e),
        key=lambda e: int(e["start"]),
    )
    if not titles or not tokens:
        return entities
    others = [e for e in entities if e not in titles]
    blocked = [(int(e["start"]), int(e["end"])) for e in others if "start" in e and "end" in e]

    def free(start: int, end: int) -> bool:
        return all(end <= b_start or start >= b_end for b_start, b_end in blocked)

    # A piece inside a date, time or duration is part of it, never a title: "March" of
    # "change the date to Thursday 7 March".
    titles = [t for t in titles if free(int(t["start"]), int(t["end"]))]
    titles = [piece for t in titles for piece in split_at_sentence_breaks(text, t)]
    if not titles:
        return others
    breaks = _breaks(text)

    merged: list[dict[str, Any]] = []
    for entity in titles:
        if merged:
            previous = merged[-1]
            gap = [t for t in tokens if t[0] >= int(previous["end"]) and t[1] <= entity["start"]]
            joined = int(previous["end"]), int(entity["start"])
            if (
                all(t[2].lower() in LINK_WORDS for t in gap)
                and free(*joined)
                and not any(joined[0] <= p < joined[1] for p in breaks)
            ):
                previous["end"] = entity["end"]
                continue
        merged.append(dict(entity))

    for entity in merged:
        before = [t for t in tokens if t[1] <= int(entity["start"])]
        while (
            before
            and _is_modifier(before[-1][2])
            and free(before[-1][0], before[-1][1])
            and not any(before[-1][1] <= p < int(entity["start"]) for p in breaks)
        ):
            entity["start"] = before.pop()[0]
        span = text[int(entity["start"]) : int(entity["end"])]
        entity["value"] = span
        entity["text"] = span
    return sorted(others + merged, key=lambda e: int(e.get("start") or 0))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class TitleSpanRepair(GraphComponent):
    """Joins and grows DIET's `event_title` pieces into whole noun phrases."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No options: the word lists are part of the grammar."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TitleSpanRepair:
        """Stateless; nothing to load."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Rewrites the title entities of each message in place."""
        for message in messages:
            entities = message.get(ENTITIES) or []
            if not any(e.get("entity") == "event_title" for e in entities):
                continue
            tokens = [(t.start, t.end, t.text) for t in message.get(TOKENS_NAMES[TEXT]) or []]
            message.set(
                ENTITIES, repair_titles(message.get(TEXT), tokens, entities), add_to_output=True
            )
        return messages
