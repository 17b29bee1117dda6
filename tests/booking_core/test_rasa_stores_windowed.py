"""WindowedTrackerStore over both logs: Rasa is handed a window, the log keeps everything."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from booking_core.rasa_stores import sql_tracker_store_arguments
from booking_core.rasa_stores.event_logs import CHECKPOINTS, MemoryLog, SqlLog
from booking_core.rasa_stores.windowed import WindowedTrackerStore

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet"],
        "slots": {
            "event_title": {"type": "text", "mappings": []},
            "counter": {"type": "float", "mappings": []},
        },
    }
)
KEEP, CUT_AFTER = 3, 5


def _memory() -> WindowedTrackerStore:
    return WindowedTrackerStore(DOMAIN, MemoryLog(50), keep_turns=KEEP, cut_after_turns=CUT_AFTER)


def _sql(url: str) -> WindowedTrackerStore:
    sql = SQLTrackerStore(domain=DOMAIN, **sql_tracker_store_arguments(url))
    return WindowedTrackerStore(DOMAIN, SqlLog(sql), keep_turns=KEEP, cut_after_turns=CUT_AFTER)


@pytest.fixture
def sqlite_store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture(params=["memory", "sqlite"])
def make_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], WindowedTrackerStore]]:
    if request.param == "memory":
        store = _memory()
        yield lambda: store
    else:
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
        yield lambda: _sql(url)  # a new store per call: two server processes, one database


async def _chat(store: WindowedTrackerStore, sender: str, turns: int) -> None:
    """`turns` turns, each retrieved, extended and saved as Rasa's processor does."""
    for n in range(turns):
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered(f"message {n}", {"name": "greet", "confidence": 1.0}))
        tracker.update(SlotSet("counter", float(n)))
        if n == 1:
            tracker.update(SlotSet("event_title", "Haircut"))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)


def test_a_turn_gets_a_window_and_the_log_keeps_everything(make_store) -> None:
    sender = f"s-{uuid.uuid4().hex}"

    async def scenario() -> tuple[DialogueStateTracker, DialogueStateTracker]:
        await _chat(make_store(), sender, 20)
        store = make_store()
        window = await store.retrieve(sender)
        full = await store.retrieve_full_tracker(sender)
        assert window is not None and full is not None
        return window, full

    window, full = asyncio.run(scenario())
    texts = [e.text for e in full.events if isinstance(e, UserUttered)]
    assert texts == [f"message {n}" for n in range(20)]  # nothing lost
    window_texts = [e.text for e in window.events if isinstance(e, UserUttered)]
    assert KEEP <= len(window_texts) <= CUT_AFTER + 1
    assert window_texts == texts[-len(window_texts) :]
    # the state before the window is restored: a slot set in turn 1 and the latest values
    assert window.get_slot("event_title") == "Haircut"
    assert window.get_slot("counter") == 19.0
    assert len(window.events) < len(full.events) / 2


def test_the_window_stays_bounded_as_the_chat_grows(make_store) -> None:
    sender = f"s-{uuid.uuid4().hex}"

    async def sizes() -> list[int]:
        store = make_store()
        found = []
        for _ in range(6):
            await _chat(store, sender, 10)
            tracker = await store.retrieve(sender)
            assert tracker is not None
            found.append(len(tracker.events))
        return found

    found = asyncio.run(sizes())
    assert max(found) == max(found[1:])  # no growth after the first cuts
    assert max(found) <= (CUT_AFTER + 1) * 5 + 8


def test_a_tracker_from_rasas_api_replaces_or_extends_as_rasas_stores_do() -> None:
    store = _memory()
    sender = f"s-{uuid.uuid4().hex}"

    async def scenario() -> DialogueStateTracker | None:
        await _chat(store, sender, 3)
        # PUT /conversations/<id>/tracker/events with []: a new, empty tracker object
        await store.save(DialogueStateTracker.from_events(sender, [], DOMAIN.slots))
        return await store.retrieve_full_tracker(sender)

    assert asyncio.run(scenario()) is None  # the in-memory conversation was replaced


def test_the_memory_log_keeps_the_latest_conversations_only() -> None:
    store = WindowedTrackerStore(DOMAIN, MemoryLog(3))

    async def scenario() -> list[str]:
        for n in range(5):
            await _chat(store, f"sender-{n}", 1)
        return sorted(await store.keys())

    assert asyncio.run(scenario()) == ["sender-2", "sender-3", "sender-4"]


def test_the_sql_log_is_rasas_table_with_checkpoints_beside(sqlite_store_url: str) -> None:
    sender = f"s-{uuid.uuid4().hex}"
    asyncio.run(_chat(_sql(sqlite_store_url), sender, 12))
    # Rasa's own SQLTrackerStore reads the same rows: history, exports and erasure keep working
    rasa_store = SQLTrackerStore(domain=DOMAIN, **sql_tracker_store_arguments(sqlite_store_url))
    full = asyncio.run(rasa_store.retrieve_full_tracker(sender))
    assert full is not None
    assert sum(isinstance(e, UserUttered) for e in full.events) == 12
    engine = sa.create_engine(sqlite_store_url)
    with engine.connect() as conn:
        checkpoint = conn.execute(
            sa.select(CHECKPOINTS.c.after_event_id).where(CHECKPOINTS.c.sender_id == sender)
        ).scalar()
    assert checkpoint is not None and checkpoint > 0


@pytest.mark.postgres
def test_on_postgres(postgres_server_url: str) -> None:
    sender = f"s-{uuid.uuid4().hex}"

    async def scenario() -> DialogueStateTracker | None:
        await _chat(_sql(postgres_server_url), sender, 15)
        return await _sql(postgres_server_url).retrieve(sender)

    window = asyncio.run(scenario())
    assert window is not None and window.get_slot("counter") == 14.0
    assert sum(isinstance(e, UserUttered) for e in window.events) <= CUT_AFTER + 1


def test_the_checkpoints_table_survives_a_concurrent_create(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two Rasa processes starting on a new schema both CREATE the table; the loser's error
    (DuplicateTable on PostgreSQL) is fine once the table exists, and raised otherwise."""
    from booking_core.rasa_stores import event_logs

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'rasa.db'}")
    real_create = event_logs.CHECKPOINTS.create

    def lose_the_race(bind: object, checkfirst: bool = False) -> None:
        real_create(bind, checkfirst=True)  # the other process made it first
        raise sa.exc.ProgrammingError("CREATE TABLE", {}, Exception("DuplicateTable"))

    monkeypatch.setattr(event_logs.CHECKPOINTS, "create", lose_the_race)
    event_logs.create_checkpoints(engine)
    assert sa.inspect(engine).has_table("tracker_checkpoints")

    other = sa.create_engine(f"sqlite:///{tmp_path / 'other.db'}")

    def fail(bind: object, checkfirst: bool = False) -> None:
        raise sa.exc.ProgrammingError("CREATE TABLE", {}, Exception("permission denied"))

    monkeypatch.setattr(event_logs.CHECKPOINTS, "create", fail)
    with pytest.raises(sa.exc.ProgrammingError):
        event_logs.create_checkpoints(other)
