"""BusinessQuestionClassifier: the decision (probability, cue words, booking acts kept), and
training, persisting, loading and processing on small hand-made sentence vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import (
    ENTITIES,
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.business_classifier import BusinessQuestionClassifier, probability, takes_over

CONFIG = BusinessQuestionClassifier.get_default_config()


@pytest.mark.parametrize(
    ("text", "chance", "intent", "taken"),
    [
        ("how much is a haircut?", 0.9, "out_of_scope", True),
        ("are you open on saturday", 0.8, "check_availability", True),
        ("where are you", 0.61, "help", True),
        ("how much is a haircut?", 0.59, "out_of_scope", False),  # not sure enough
        ("tell me about the weather", 0.95, "out_of_scope", False),  # no cue words
        ("book a haircut, how much is it", 0.95, "schedule_event", False),  # a booking act
        ("no, where are you", 0.95, "deny", False),
        ("where can i park?", 0.95, "ask_parking", False),  # a bot developer's own intent
        ('/ask_business{"x": 1}', 0.99, "out_of_scope", False),
    ],
)  # fmt: skip
def test_the_decision(text: str, chance: float, intent: str, taken: bool) -> None:
    assert takes_over(text, chance, intent, CONFIG) is taken


def test_probability_is_the_logistic_of_the_score() -> None:
    weights = np.array([2.0, 0.0])
    assert probability(weights, 0.0, np.array([0.0, 5.0])) == pytest.approx(0.5)
    assert probability(weights, -1.0, np.array([1.0, 0.0])) == pytest.approx(1 / (1 + np.e**-1))


def _message(text: str, vector: list[float], intent: str | None = None) -> Message:
    message = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    features = np.array([vector], dtype=np.float32)
    message.add_features(Features(features, FEATURE_TYPE_SENTENCE, TEXT, "minilm"))
    return message


def _context() -> ExecutionContext:
    return ExecutionContext(graph_schema=None, node_name="business")  # type: ignore[arg-type]


def _trained(tmp_path: Path) -> tuple[LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("business")
    component = BusinessQuestionClassifier.create({}, storage, resource, _context())
    examples = [
        _message(f"question {i}", [1.0, 0.1 * i], "ask_business") for i in range(5)
    ] + [_message(f"other {i}", [-1.0, 0.1 * i], "out_of_scope") for i in range(20)]
    component.train(TrainingData(examples))
    return storage, resource


def _parsed(text: str, vector: list[float], ranking: list[dict[str, Any]]) -> Message:
    message = _message(text, vector)
    title = {"entity": "event_title", "value": "massage", "start": 12, "end": 19}
    message.set(ENTITIES, [title, {"entity": "time", "value": "x", "start": 0, "end": 1}])
    message.set(INTENT, dict(ranking[0]), add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    return message


def test_trained_and_loaded_it_takes_over_questions_only(tmp_path: Path) -> None:
    storage, resource = _trained(tmp_path)
    loaded = BusinessQuestionClassifier.load({}, storage, resource, _context())
    ranking = [{"name": "out_of_scope", "confidence": 0.8}, {"name": "help", "confidence": 0.2}]
    question, no_cue, unlike = loaded.process([
        _parsed("how much is a massage?", [1.0, 0.2], ranking),
        _parsed("tell me a joke", [1.0, 0.2], ranking),
        _parsed("how much is a flight to paris", [-1.0, 0.2], ranking),
    ])  # fmt: skip
    intent = question.get(INTENT)
    assert intent["name"] == "ask_business" and intent["confidence"] > 0.7
    names = [entry["name"] for entry in question.get(INTENT_RANKING_KEY)]
    assert names == ["ask_business", "out_of_scope", "help"]
    shares = [entry["confidence"] for entry in question.get(INTENT_RANKING_KEY)]
    assert sum(shares) == pytest.approx(1.0)
    assert [e["entity"] for e in question.get(ENTITIES)] == ["time"]  # a question books nothing
    assert no_cue.get(INTENT)["name"] == "out_of_scope"
    assert [e["entity"] for e in no_cue.get(ENTITIES)] == ["event_title", "time"]
    assert unlike.get(INTENT)["name"] == "out_of_scope"


def test_without_training_it_stays_silent(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    silent = BusinessQuestionClassifier.load({}, storage, Resource("none"), _context())
    ranking = [{"name": "out_of_scope", "confidence": 0.8}]
    [message] = silent.process([_parsed("how much is a massage?", [1.0, 0.0], ranking)])
    assert message.get(INTENT)["name"] == "out_of_scope"
