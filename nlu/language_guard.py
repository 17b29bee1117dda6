"""Rasa graph component `LanguageGuard`: a message clearly in another language is out of scope.

The classifier was trained on English only, so "quiero reservar una cita para mañana" gets a
confident but meaningless English intent (it once started a booking). Placed last in the
pipeline, this component files such a message as `out_of_scope`, whose action tells the
customer, in one line, which language the assistant speaks (actions/fallbacks.py). The check
is `nlu.languages.other_language`: Unicode scripts and function words, no model, microseconds.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.languages import other_language

OUT_OF_SCOPE = "out_of_scope"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageGuard(GraphComponent):
    """Files messages clearly written in another language as out of scope."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No options: the language lists are part of `nlu.languages`."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageGuard:
        """Stateless; nothing to load."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace the intent of a message in another language (at inference only)."""
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/") or other_language(text) is None:
                continue
            intent = {"name": OUT_OF_SCOPE, "confidence": 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
