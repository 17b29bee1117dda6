"""Where a conversation's events live: an append-only log per conversation with a checkpoint.

Two logs behind one protocol for `windowed.WindowedTrackerStore`:
- `MemoryLog` (no TRACKER_STORE_URL): the most recent conversations in this process,
  least recently used ones dropped past a bound (their messages stay in the app's history);
  events kept as compressed JSON.
- `SqlLog` (TRACKER_STORE_URL): Rasa's own `events` table through Rasa's `SQLTrackerStore`
  (so Rasa's full-history reads, the admin API's erasure and any tool reading that table
  keep working) plus a `tracker_checkpoints` table: one row per conversation with the
  event id of its last cut and the events restoring the state there.
A window is the checkpoint's restoring events and every event after it: what a turn needs.
"""

from __future__ import annotations

import json
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.nlu.constants import INTENT_NAME_KEY

Dicts = list[dict[str, Any]]


@dataclass
class Window:
    """The restoring events of the last checkpoint (empty without one) and the stored events
    after it, each with its key in the log."""

    prefix: Dicts
    keys: list[int]
    events: Dicts


class EventLog(Protocol):
    """An append-only event log per conversation with one checkpoint each."""

    def window(self, sender_id: str) -> Window | None:
        """The conversation's window; None when nothing is stored."""

    def append(self, sender_id: str, events: Dicts) -> list[int]:
        """Store events after the existing ones; their keys, in order."""

    def adopt(self, sender_id: str, events: Dicts) -> tuple[int, list[int]]:
        """Store a whole tracker's events that the store did not hand out, as Rasa's own
        store of the kind would; (how many were skipped as stored, the keys of the rest)."""

    def set_checkpoint(self, sender_id: str, after_key: int, prefix: Dicts) -> None:
        """Windows now start after `after_key`, restored by `prefix`."""

    def all_events(self, sender_id: str) -> Dicts | None:
        """Every stored event of the conversation (history, export); None when none."""

    def keys(self) -> list[str]:
        """The conversations stored."""


def _pack(event: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(event, separators=(",", ":")).encode(), 1)


def _unpack(blob: bytes) -> dict[str, Any]:
    return dict(json.loads(zlib.decompress(blob)))


@dataclass
class _Conversation:
    events: list[bytes] = field(default_factory=list)
    checkpoint: int = -1
    prefix: Dicts = field(default_factory=list)


#: Conversations the in-memory log keeps (TRACKER_MEMORY_CONVERSATIONS overrides it).
MEMORY_CONVERSATIONS = 1000


class MemoryLog:
    """Events of the most recent conversations, in this process."""

    def __init__(self, max_conversations: int = MEMORY_CONVERSATIONS) -> None:
        self._conversations: OrderedDict[str, _Conversation] = OrderedDict()
        self._max = max(1, max_conversations)

    def _get(self, sender_id: str) -> _Conversation | None:
        conversation = self._conversations.get(sender_id)
        if conversation is not None:
            self._conversations.move_to_end(sender_id)
        return conversation

    def window(self, sender_id: str) -> Window | None:
        """The restoring prefix and the events after the checkpoint."""
        conversation = self._get(sender_id)
        if conversation is None or not conversation.events:
            return None
        first = conversation.checkpoint + 1
        keys = list(range(first, len(conversation.events)))
        events = [_unpack(blob) for blob in conversation.events[first:]]
        return Window(list(conversation.prefix), keys, events)

    def append(self, sender_id: str, events: Dicts) -> list[int]:
        """Append; drops the least recently used conversation past the bound."""
        conversation = self._get(sender_id)
        if conversation is None:
            conversation = self._conversations[sender_id] = _Conversation()
            while len(self._conversations) > self._max:
                self._conversations.popitem(last=False)
        start = len(conversation.events)
        conversation.events.extend(_pack(event) for event in events)
        return list(range(start, len(conversation.events)))

    def set_checkpoint(self, sender_id: str, after_key: int, prefix: Dicts) -> None:
        """Remember where windows start."""
        conversation = self._get(sender_id)
        if conversation is not None and after_key > conversation.checkpoint:
            conversation.checkpoint, conversation.prefix = after_key, prefix

    def adopt(self, sender_id: str, events: Dicts) -> tuple[int, list[int]]:
        """A whole tracker replaces the conversation, as Rasa's in-memory store does (Rasa's
        `PUT .../tracker/events`, a new conversation)."""
        self._conversations.pop(sender_id, None)
        return 0, self.append(sender_id, events)

    def all_events(self, sender_id: str) -> Dicts | None:
        """Every stored event."""
        conversation = self._get(sender_id)
        if conversation is None:
            return None
        return [_unpack(blob) for blob in conversation.events]

    def keys(self) -> list[str]:
        """The conversations kept."""
        return list(self._conversations)


CHECKPOINTS = sa.Table(
    "tracker_checkpoints",
    sa.MetaData(),
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("after_event_id", sa.Integer, nullable=False),
    sa.Column("prefix", sa.Text, nullable=False),
)


def create_checkpoints(engine: sa.engine.Engine) -> None:
    """The checkpoints table, once: two Rasa processes starting together on a new schema both
    see it missing and both CREATE it; the one that loses (DuplicateTable, or a unique
    violation of PostgreSQL's catalogue) finds it made by the other."""
    try:
        CHECKPOINTS.create(engine, checkfirst=True)
    except (sa.exc.ProgrammingError, sa.exc.IntegrityError, sa.exc.OperationalError):
        if not sa.inspect(engine).has_table(CHECKPOINTS.name):
            raise


class SqlLog:
    """Rasa's `events` table (via its SQLTrackerStore) and the checkpoints beside it."""

    def __init__(self, store: SQLTrackerStore) -> None:
        self.store = store
        create_checkpoints(store.engine)

    def window(self, sender_id: str) -> Window | None:
        """The checkpoint's prefix and the events after it (all, before the first cut)."""
        event = self.store.SQLEvent
        with self.store.engine.connect() as conn:
            checkpoint = conn.execute(
                sa.select(CHECKPOINTS.c.after_event_id, CHECKPOINTS.c.prefix).where(
                    CHECKPOINTS.c.sender_id == sender_id
                )
            ).first()
            after = checkpoint.after_event_id if checkpoint else -1
            rows = conn.execute(
                sa.select(event.id, event.data)
                .where(event.sender_id == sender_id, event.id > after)
                .order_by(event.id)
            ).all()
        if not rows and checkpoint is None:
            return None
        prefix = json.loads(checkpoint.prefix) if checkpoint else []
        return Window(prefix, [row.id for row in rows], [json.loads(row.data) for row in rows])

    def append(self, sender_id: str, events: Dicts) -> list[int]:
        """Insert rows as Rasa's SQLTrackerStore.save writes them; their ids."""
        with self.store.session_scope() as session:
            rows = [
                self.store.SQLEvent(
                    sender_id=sender_id,
                    type_name=data.get("event"),
                    timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                )
                for data in events
            ]
            session.add_all(rows)
            session.commit()
            return [int(row.id) for row in rows]

    def adopt(self, sender_id: str, events: Dicts) -> tuple[int, list[int]]:
        """Rasa's SQLTrackerStore.save: the events past the number its latest session holds
        are added (a new conversation: all of them)."""
        with self.store.session_scope() as session:
            stored = self.store._event_query(
                session, sender_id, fetch_events_from_all_sessions=False
            ).count()
        return stored, self.append(sender_id, events[stored:])

    def set_checkpoint(self, sender_id: str, after_key: int, prefix: Dicts) -> None:
        """Replace the conversation's checkpoint (never move it back)."""
        with self.store.engine.begin() as conn:
            conn.execute(
                CHECKPOINTS.delete().where(
                    CHECKPOINTS.c.sender_id == sender_id,
                    CHECKPOINTS.c.after_event_id <= after_key,
                )
            )
            exists = conn.execute(
                sa.select(CHECKPOINTS.c.sender_id).where(CHECKPOINTS.c.sender_id == sender_id)
            ).first()
            if exists is None:
                conn.execute(
                    CHECKPOINTS.insert().values(
                        sender_id=sender_id, after_event_id=after_key, prefix=json.dumps(prefix)
                    )
                )

    def all_events(self, sender_id: str) -> Dicts | None:
        """Every row of the conversation, in order."""
        event = self.store.SQLEvent
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(event.data).where(event.sender_id == sender_id).order_by(event.id)
            ).all()
        return [json.loads(row.data) for row in rows] or None

    def keys(self) -> list[str]:
        """Every conversation with events."""
        event = self.store.SQLEvent
        with self.store.engine.connect() as conn:
            return [row[0] for row in conn.execute(sa.select(event.sender_id).distinct())]
