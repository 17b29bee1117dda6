"""The fast loading of DIET and TED gives the same parses and predictions as Rasa's own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.tensorflow.models import RasaModel

import nlu.time_extractor  # noqa: F401 - installs the fast loading, as in a Rasa process
from nlu import fast_loading
from tests.integration import servers

MESSAGES = [
    "book a haircut tomorrow at 3 for 45 minutes",
    "yes",
    "cancel my massage",
    "what's on my calendar next friday",
    "change the time to 12pm",
    "hello",
    "stop",
]


@pytest.fixture
def restore_loading() -> Iterator[None]:
    yield
    fast_loading.install()


def _observe(agent: Agent) -> list[Any]:
    """Per message: the intent ranking, DIET's entities, and every policy's probabilities for
    the next action (TED's among them) after it."""
    assert agent.processor is not None
    processor = agent.processor

    async def run() -> list[Any]:
        seen: list[Any] = []
        for text in MESSAGES:
            parse = await agent.parse_message(text)
            ranking = [(r["name"], round(r["confidence"], 5)) for r in parse["intent_ranking"]]
            diet = [(e["entity"], e["start"], e["end"]) for e in parse["entities"]
                    if e.get("extractor") == "DIETWithout"]  # fmt: skip
            tracker = DialogueStateTracker.from_events(
                "s", [ActionExecuted("action_listen"), UserUttered(text, parse_data=parse)]
            )
            outputs = processor.graph_runner.run(
                inputs={"__tracker__": tracker},
                targets=[n for n in processor.model_metadata.predict_schema.nodes
                         if "Policy" in n and n.startswith("run_")],
            )  # fmt: skip
            policies = sorted(
                (name, [round(p, 5) for p in prediction.probabilities])
                for name, prediction in outputs.items()
            )
            seen.append((ranking, diet, policies))
        return seen

    return asyncio.run(run())


@pytest.mark.slow
def test_fast_loading_predicts_exactly_as_rasas_loading(restore_loading: None) -> None:
    servers.require_model()
    fast = _observe(Agent.load(str(servers.MODEL)))
    fast_loading.uninstall()
    stock = _observe(Agent.load(str(servers.MODEL)))
    assert fast == stock
    assert any(diet for _, diet, _ in fast)  # DIET found entities: the comparison has content
    assert any("TEDPolicy" in name for name, _ in fast[0][2])  # TED's predictions compared


def test_importing_the_time_extractor_installs_it() -> None:
    assert RasaModel.load.__func__ is fast_loading.load_eagerly_built  # type: ignore[attr-defined]


def test_fine_tuning_keeps_rasas_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(fast_loading, "STOCK_LOAD", lambda *args, **kw: calls.append(args))

    class Model(RasaModel):
        def __init__(self, **kwargs: Any) -> None:
            raise AssertionError("the fast path must not build a model when fine-tuning")

    Model.load("weights", "data", None, True, config={})
    assert calls == [(Model, "weights", "data", None, True)]
