"""Rasa graph component `BusinessQuestionClassifier`: questions about the business.

"How much is a haircut?", "are you open on Saturday?", "where are you?" are answered from the
tenant's data (actions/business_answers.py). They are told from everything else by a logistic
regression on the message's sentence vector (all-MiniLM-L6-v2, nlu.minilm_featurizer), trained
on the `ask_business` examples against every other example of the NLU data (out-of-scope
queries included), and kept only when the message holds the cue words of such a question
(nlu.business_questions) and the intent before it is one it may replace (never a booking act
or an intent it does not know). DIET does not learn
the intent (nlu.trained_without): learned there, it cost out-of-scope rejection (issue 18). A
message taken over loses DIET's event_title: a question names what it asks about, not a
booking.

Placed after DIET and before the FallbackClassifier. The decision is `takes_over`, pure.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.business_questions import cue_kind

WEIGHTS_FILE = "business_question.json"
#: Entities a question does not carry: "how much is a massage?" names what it asks about,
#: not what to book (its answer offers a button for that).
NOT_IN_QUESTIONS = frozenset({"event_title"})


def takes_over(text: str, probability: float, intent: str | None, config: dict[str, Any]) -> bool:
    """Whether a message is a question about the business: the classifier is sure enough,
    the words are those of such a question, and the intent so far is one it may replace: a
    booking act ("book a haircut, how much is it?" books) and any intent not listed (a bot
    developer's own `ask_parking`, say) keep the message."""
    if text.startswith("/") or probability < float(config["threshold"]):
        return False
    if intent not in set(config["over_intents"]):
        return False
    return cue_kind(text) is not None


def sentence_vector(message: Message) -> np.ndarray | None:
    """The message's dense sentence features (the MiniLM vector), or None without them."""
    _, sentence = message.get_dense_features(TEXT)
    if sentence is None:
        return None
    return np.asarray(sentence.features, dtype=np.float64).reshape(-1)


def probability(weights: np.ndarray, bias: float, vector: np.ndarray) -> float:
    """The logistic regression's probability of the question intent."""
    return float(1.0 / (1.0 + np.exp(-(float(vector @ weights) + bias))))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BusinessQuestionClassifier(GraphComponent):
    """Files questions about the business under their own intent."""

    @classmethod
    def required_components(cls) -> list[type]:
        """A dense featurizer must run before it."""
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The intent, the probability it needs, the regularization of the regression and
        the intents it may replace: the unspecific ones and those a question is often taken
        for (none of the booking acts)."""
        return {
            "intent": "ask_business",
            # Chosen by 5-fold cross-validation on the NLU data (cue words applied): C 3.0 at
            # 0.6 found 103 of the 126 questions with 23 false alarms among 3,995 others.
            "threshold": 0.6,
            "C": 3.0,
            "over_intents": [
                "out_of_scope", "nlu_fallback", "help", "inform", "check_availability",
                "change_booking", "bot_challenge", "greet", "goodbye", "thank",
            ],
        }  # fmt: skip

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        weights: np.ndarray | None = None,
        bias: float = 0.0,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._weights = weights
        self._bias = bias

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BusinessQuestionClassifier:
        """Untrained."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the regression on the question intent's examples against all others (classes
        weighted to balance the few questions with the many others); persisted as JSON."""
        from sklearn.linear_model import LogisticRegression

        rows: list[np.ndarray] = []
        labels: list[bool] = []
        for example in training_data.intent_examples:
            vector = sentence_vector(example)
            if vector is not None:
                rows.append(vector)
                labels.append(example.get(INTENT) == self._config["intent"])
        if not any(labels) or all(labels):
            return self._resource  # nothing to tell apart: the component stays silent
        model = LogisticRegression(C=float(self._config["C"]), class_weight="balanced",
                                   max_iter=2000, random_state=42)  # fmt: skip
        model.fit(np.vstack(rows), np.asarray(labels))
        self._weights = model.coef_[0].astype(np.float64)
        self._bias = float(model.intercept_[0])
        with self._storage.write_to(self._resource) as directory:
            payload = {"weights": self._weights.tolist(), "bias": self._bias}
            (directory / WEIGHTS_FILE).write_text(json.dumps(payload))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> BusinessQuestionClassifier:
        """The trained weights, or a silent component when there are none."""
        try:
            with model_storage.read_from(resource) as directory:
                payload = json.loads((directory / WEIGHTS_FILE).read_text())
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        weights = np.asarray(payload["weights"], dtype=np.float64)
        return cls(config, model_storage, resource, weights, float(payload["bias"]))

    def process(self, messages: list[Message]) -> list[Message]:
        """Set the question intent on the messages it takes over (at inference only)."""
        if self._weights is None:
            return messages
        for message in messages:
            vector = sentence_vector(message)
            if vector is None:
                continue
            chance = probability(self._weights, self._bias, vector)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not takes_over(message.get(TEXT) or "", chance, intent, self._config):
                continue
            ours = {INTENT_NAME_KEY: self._config["intent"], "confidence": chance}
            # The others share what is left, so the FallbackClassifier's ambiguity check
            # compares this intent with the next on one scale.
            others = [
                {**entry, "confidence": float(entry.get("confidence") or 0.0) * (1.0 - chance)}
                for entry in message.get(INTENT_RANKING_KEY) or []
            ]
            message.set(INTENT, ours, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [ours, *others], add_to_output=True)
            entities = message.get(ENTITIES) or []
            kept = [e for e in entities if e.get(ENTITY_ATTRIBUTE_TYPE) not in NOT_IN_QUESTIONS]
            message.set(ENTITIES, kept, add_to_output=True)
        return messages
