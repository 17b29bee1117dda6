"""DIET and the sparse featurizers it reads, trained on every intent but the ones named.

An intent that another classifier owns (here `ask_business`, nlu.business_classifier) must
not be learned by DIET as well: trained into DIET, questions about the business took a region
of its embedding space from out-of-scope queries, and rejection of those fell from 97.5% to
95.3-96.8% over three trainings (issue 18's notes). Leaving them out of DIET alone still
shifted its figures, because the featurizers' vocabularies (words, character n-grams,
lexical features) grew with the questions' words and so DIET's inputs changed. Trained
without them, DIET and its featurizers are exactly what they were before the intent existed;
everything else is the components as Rasa ships them.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.graph_components.validators import default_recipe_validator
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import (
    LexicalSyntacticFeaturizer,
)
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import INTENT
from rasa.shared.nlu.training_data.training_data import TrainingData

EXCLUDED = "excluded_intents"


def without_intents(training_data: TrainingData, excluded: frozenset[str]) -> TrainingData:
    """The training data with the examples of `excluded` intents left out (pure)."""
    kept = [m for m in training_data.training_examples if m.get(INTENT) not in excluded]
    if len(kept) == len(training_data.training_examples):
        return training_data
    return TrainingData(
        training_examples=kept,
        entity_synonyms=training_data.entity_synonyms,
        regex_features=training_data.regex_features,
        lookup_tables=training_data.lookup_tables,
        responses=training_data.responses,
    )


def _excluded(config: dict[str, Any]) -> frozenset[str]:
    return frozenset(config.get(EXCLUDED) or ())


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    ],
    is_trainable=True,
)
class DIETWithout(DIETClassifier):
    """DIETClassifier that does not learn the intents listed in `excluded_intents`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """DIET's defaults plus `excluded_intents` (none)."""
        return {**DIETClassifier.get_default_config(), EXCLUDED: []}

    def train(self, training_data: TrainingData) -> Resource:
        """Train DIET on the examples of every other intent."""
        return super().train(without_intents(training_data, _excluded(self.component_config)))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class CountVectorsWithout(CountVectorsFeaturizer):
    """CountVectorsFeaturizer whose vocabulary leaves out the `excluded_intents`' examples."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's defaults plus `excluded_intents` (none)."""
        return {**CountVectorsFeaturizer.get_default_config(), EXCLUDED: []}

    def train(self, training_data: TrainingData, model: SpacyModel | None = None) -> Resource:
        """Build the vocabulary from the examples of every other intent."""
        return super().train(without_intents(training_data, _excluded(self._config)), model)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LexicalSyntacticWithout(LexicalSyntacticFeaturizer):
    """LexicalSyntacticFeaturizer whose feature values leave out the `excluded_intents`'."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's defaults plus `excluded_intents` (none)."""
        return {**LexicalSyntacticFeaturizer.get_default_config(), EXCLUDED: []}

    def train(self, training_data: TrainingData) -> Resource:
        """Collect the feature values from the examples of every other intent."""
        return super().train(without_intents(training_data, _excluded(self._config)))


# Rasa's recipe validator lists the trainable entity extractors by class, so without this
# `rasa train` would warn that the configuration has none.
if DIETWithout not in default_recipe_validator.TRAINABLE_EXTRACTORS:
    default_recipe_validator.TRAINABLE_EXTRACTORS.append(DIETWithout)
