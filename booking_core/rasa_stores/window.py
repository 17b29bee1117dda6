"""Which part of a conversation Rasa needs for the next turn, and how to restore the rest.

Rasa rebuilds a turn's states from every event of the session it is handed: a busy chat's
turn 400 cost five times turn 10 (issue 19). Its policies look back at most `max_history`
turns (5 here), the rule policy at the current rule, the actions at most
`form_reading.DAY_LOOKBACK_MESSAGES` user messages. So Rasa is handed a *window*: a short
prefix of synthetic events that restores the state the conversation had at a cut (slots,
paused) followed by every real event after the cut. The cut is always at a turn boundary
(the action_listen before a user message) where no form is active: Rasa folds a form's turns
together back to the form's first run (`DialogueStateTracker.applied_events`), which a cut
inside the form would change. Everything here is pure: events in, events out.
"""

from __future__ import annotations

from collections.abc import Sequence

from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

#: User turns kept after a cut: more than the policies' max_history (5) and the actions'
#: look-back (8 user messages), with room to spare.
KEEP_TURNS = 12
#: A new cut is made once this many user turns have gathered after the last one, so each
#: turn handles between KEEP_TURNS and CUT_AFTER_TURNS turns of events.
CUT_AFTER_TURNS = 2 * KEEP_TURNS


def restoring_events(tracker: DialogueStateTracker, timestamp: float) -> list[Event]:
    """Events that put a new tracker in `tracker`'s state at a turn boundary: a session
    start, every slot that differs from its initial value, a pause, and action_listen."""
    restored: list[Event] = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=timestamp),
        SessionStarted(timestamp=timestamp),
    ]
    for name, slot in tracker.slots.items():
        if slot.value != slot.initial_value:
            restored.append(SlotSet(name, slot.value, timestamp=timestamp))
    if tracker.is_paused():
        restored.append(ConversationPaused(timestamp=timestamp))
    restored.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=timestamp))
    return restored


def is_turn_start(events: Sequence[Event], index: int) -> bool:
    """A user message right after action_listen: where a turn begins."""
    if index <= 0 or index >= len(events) or not isinstance(events[index], UserUttered):
        return False
    before = events[index - 1]
    return isinstance(before, ActionExecuted) and before.action_name == ACTION_LISTEN_NAME


def user_turns_after(events: Sequence[Event], start: int) -> int:
    """How many user messages there are from `start` on."""
    return sum(1 for event in events[start:] if isinstance(event, UserUttered))


def cut_index(events: Sequence[Event], first: int, keep_turns: int = KEEP_TURNS) -> int | None:
    """The latest turn start at or after `first` that keeps at least `keep_turns` user turns
    after it with no form active there; None when there is none (yet)."""
    active: str | None = None
    loop_at: list[str | None] = []
    for event in events:
        loop_at.append(active)
        if isinstance(event, ActiveLoop):
            active = event.name
    turns = 0
    for index in range(len(events) - 1, first - 1, -1):
        if isinstance(events[index], UserUttered):
            turns += 1
        if turns >= keep_turns and loop_at[index] is None and is_turn_start(events, index):
            return index
    return None


def last_session_start(events: Sequence[Event]) -> int:
    """Index of the last `action_session_start` (with its SessionStarted), else 0: Rasa
    hands its policies the latest session only."""
    for index in range(len(events) - 2, -1, -1):
        event = events[index]
        if (
            isinstance(event, ActionExecuted)
            and event.action_name == ACTION_SESSION_START_NAME
            and isinstance(events[index + 1], SessionStarted)
        ):
            return index
    return 0
