"""Windows change no prediction: a long conversation with the real model and actions gives the
same events (actions, slots, answers) with Rasa's whole-session store and with windows.

The windows here are cut much tighter than in production (6 turns kept, a cut every 8) so
that the conversation crosses many cuts, inside and around forms, changes and stops.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.servers import require_model

pytestmark = pytest.mark.slow

TURNS = (
    "book a haircut tomorrow at 3pm for 30 minutes", "yes", "what's on tomorrow?", "thanks",
    "hello", "cancel my haircut", "yes", "help", "book a meeting", "tomorrow", "at 4pm",
    "what's on tomorrow?", "1 hour", "no", "the time", "5pm", "yes", "hello", "stop",
    "I need a massage on friday", "at 11am", "actually make it 12pm", "45 minutes", "stop",
)  # fmt: skip
LENGTH = 110


def _normalised(events: list[Any]) -> list[str]:
    """What the conversation did, without timestamps or random ids."""
    out = []
    for event in events:
        data = event.as_dict()
        data.pop("timestamp", None)
        data.pop("metadata", None)
        if data.get("event") == "user":
            data = {"text": data.get("text"), "intent": data["parse_data"]["intent"]["name"]}
        elif data.get("event") == "bot":
            data = {"bot": re.sub(r"/events/\w+\.ics", "/events/<uid>.ics", data.get("text") or "")}
        out.append(repr(sorted(data.items())))
    return out


async def _play(make_store: Callable[[Any], Any]) -> tuple[list[str], int]:
    """The normalised events of the whole conversation, and how many events the last turn
    was handed."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from connectors.rest import rest_sender_id
    from scripts.evaluate.assistant import fresh_database, frozen_clock, load_agent, reference

    fresh_database(Path(tempfile.mkdtemp(prefix="windows-")))
    agent = load_agent()
    agent.tracker_store = make_store(agent.domain)
    agent.processor.tracker_store = agent.tracker_store
    sender = rest_sender_id("default", "long-conversation")
    with frozen_clock(reference("2026-03-02", "09:00")):
        for n in range(LENGTH):
            message = UserMessage(
                TURNS[n % len(TURNS)], CollectingOutputChannel(), sender, input_channel="rest"
            )
            await agent.handle_message(message)
    full = await agent.tracker_store.retrieve_full_tracker(sender)
    handed = await agent.tracker_store.retrieve(sender)
    return _normalised(list(full.events)), len(handed.events)


def test_windows_predict_exactly_as_whole_sessions(tmp_path: Path) -> None:
    require_model()
    from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore

    from booking_core.rasa_stores import sql_tracker_store_arguments
    from booking_core.rasa_stores.event_logs import MemoryLog, SqlLog
    from booking_core.rasa_stores.windowed import WindowedTrackerStore

    tight = {"keep_turns": 6, "cut_after_turns": 8}
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    whole, whole_handed = asyncio.run(_play(lambda domain: InMemoryTrackerStore(domain)))
    in_memory, memory_handed = asyncio.run(
        _play(lambda domain: WindowedTrackerStore(domain, MemoryLog(10), **tight))
    )
    in_sql, sql_handed = asyncio.run(
        _play(
            lambda domain: WindowedTrackerStore(
                domain,
                SqlLog(SQLTrackerStore(domain=domain, **sql_tracker_store_arguments(url))),
                **tight,
            )
        )
    )
    assert sum("'intent'" in line for line in whole) == LENGTH
    assert whole_handed == len(whole)  # Rasa's store hands every event of the session
    assert memory_handed < len(whole) / 4 and sql_handed < len(whole) / 4  # windows were cut
    assert in_memory == whole
    assert in_sql == whole
