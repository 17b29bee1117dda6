"""The ...Without components: the named intents' examples are left out of their training data,
nothing else."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.trained_without import (
    CountVectorsWithout,
    DIETWithout,
    LexicalSyntacticWithout,
    without_intents,
)


def _data() -> TrainingData:
    examples = [
        Message(data={TEXT: "book a haircut", INTENT: "schedule_event"}),
        Message(data={TEXT: "how much is a haircut", INTENT: "ask_business"}),
        Message(data={TEXT: "what is the weather", INTENT: "out_of_scope"}),
    ]
    return TrainingData(examples, entity_synonyms={"hair cut": "haircut"})


def test_the_excluded_intent_is_left_out() -> None:
    kept = without_intents(_data(), frozenset({"ask_business"}))
    assert [m.get(INTENT) for m in kept.training_examples] == ["schedule_event", "out_of_scope"]
    assert kept.entity_synonyms == {"hair cut": "haircut"}


def test_nothing_excluded_is_the_same_data() -> None:
    data = _data()
    assert without_intents(data, frozenset()) is data
    assert without_intents(data, frozenset({"greet"})) is data


def test_the_default_config_is_diets_with_no_exclusion() -> None:
    config = DIETWithout.get_default_config()
    assert config["excluded_intents"] == []
    assert config["epochs"] == 300  # DIET's own default, untouched


def test_the_featurizers_take_the_option_too() -> None:
    for component in (CountVectorsWithout, LexicalSyntacticWithout):
        assert component.get_default_config()["excluded_intents"] == []
