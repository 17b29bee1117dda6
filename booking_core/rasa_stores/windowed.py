"""`WindowedTrackerStore`: Rasa gets a turn's window of the conversation, the log keeps all.

`retrieve` (what Rasa's processor calls every turn) builds the tracker from the log's window
(`window.py`): the restoring events of the last cut and every event after it, cut to the
latest session as Rasa's own stores do. `save` appends only the events the turn added, and
every so often moves the cut forward, so a turn handles between KEEP_TURNS and
CUT_AFTER_TURNS user turns of events however long the chat has been. `retrieve_full_tracker`
(history, export, Rasa's tracker endpoint with all sessions) reads every stored event.
Log I/O runs in a worker thread so that the server's event loop keeps answering others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

from booking_core.rasa_stores.event_logs import EventLog
from booking_core.rasa_stores.window import (
    CUT_AFTER_TURNS,
    KEEP_TURNS,
    cut_index,
    last_session_start,
    restoring_events,
    user_turns_after,
)

#: The attribute a tracker handed out by this store carries (how much of it is stored).
_HANDED = "_windowed_store_handed"


@dataclass
class Handed:
    """What the store knows of a tracker it handed out: the log key of each of its events
    (None for the restoring prefix) and how many of its events are stored."""

    keys: list[int | None]
    stored: int


class WindowedTrackerStore(TrackerStore):
    """Hands Rasa the recent window of a conversation; stores every event."""

    def __init__(
        self,
        domain: Domain | None,
        log: EventLog,
        event_broker: EventBroker | None = None,
        keep_turns: int = KEEP_TURNS,
        cut_after_turns: int = CUT_AFTER_TURNS,
        **kwargs: Any,
    ) -> None:
        """`log` keeps the events; a cut keeps `keep_turns` user turns and is made once
        `cut_after_turns` have gathered since the last one."""
        super().__init__(domain, event_broker, **kwargs)
        self.log = log
        self.keep_turns = keep_turns
        self.cut_after_turns = max(cut_after_turns, keep_turns + 1)

    def _tracker(self, sender_id: str, events: Iterable[Event]) -> DialogueStateTracker:
        return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session's window, as a tracker this store can extend on `save`."""
        window = await asyncio.to_thread(self.log.window, sender_id)
        if window is None:
            return None
        events = deserialise_events(window.prefix + window.events)
        keys: list[int | None] = [None] * (len(events) - len(window.keys)) + list(window.keys)
        start = last_session_start(events)
        tracker = self._tracker(sender_id, events[start:])
        setattr(tracker, _HANDED, Handed(keys=keys[start:], stored=len(tracker.events)))
        return tracker

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        """Every stored event of every session."""
        events = await asyncio.to_thread(self.log.all_events, sender_id)
        if not events:
            return None
        return self._tracker(sender_id, deserialise_events(events))

    async def keys(self) -> Iterable[str]:
        """The stored conversations."""
        return await asyncio.to_thread(self.log.keys)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append what the turn added; move the cut forward when the window has grown."""
        await self.stream_events(tracker)
        events = list(tracker.events)
        handed: Handed | None = getattr(tracker, _HANDED, None)
        if handed is None:
            handed = await self._adopt(tracker, events)
            setattr(tracker, _HANDED, handed)
            return
        new = events[handed.stored :]
        if new:
            keys = await asyncio.to_thread(
                self.log.append, tracker.sender_id, [event.as_dict() for event in new]
            )
            handed.keys.extend(keys)
            handed.stored = len(events)
        await self._maybe_cut(tracker.sender_id, events, handed)

    async def _adopt(self, tracker: DialogueStateTracker, events: list[Event]) -> Handed:
        """A tracker this store did not hand out: a new conversation (Rasa's `create_tracker`)
        or a whole tracker from Rasa's API, stored as Rasa's own store of the kind would."""
        dicts = [event.as_dict() for event in events]
        skipped, keys = await asyncio.to_thread(self.log.adopt, tracker.sender_id, dicts)
        known: list[int | None] = [None] * skipped
        return Handed(keys=known + list(keys), stored=len(events))

    async def _maybe_cut(self, sender_id: str, events: list[Event], handed: Handed) -> None:
        first_real = next((i for i, key in enumerate(handed.keys) if key is not None), None)
        if first_real is None:
            return
        if user_turns_after(events, first_real) <= self.cut_after_turns:
            return
        cut = cut_index(events, first_real + 1, self.keep_turns)
        after = handed.keys[cut - 1] if cut is not None else None
        if cut is None or after is None:
            return
        state = self._tracker(sender_id, events[:cut])
        prefix = restoring_events(state, timestamp=events[cut - 1].timestamp)
        await asyncio.to_thread(
            self.log.set_checkpoint, sender_id, after, [event.as_dict() for event in prefix]
        )
