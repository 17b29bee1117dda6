"""booking_core/rasa_stores/window.py: where a conversation may be cut and how it is restored."""

from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from booking_core.rasa_stores.window import (
    cut_index,
    is_turn_start,
    last_session_start,
    restoring_events,
    user_turns_after,
)

LISTEN = "action_listen"


def _turn(text: str, *actions: str) -> list[Event]:
    return [UserUttered(text, {"name": "greet", "confidence": 1.0})] + [
        ActionExecuted(name) for name in (*actions, LISTEN)
    ]


def _start() -> list[Event]:
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted(LISTEN)]


def test_turn_starts_are_user_messages_after_listening() -> None:
    events = _start() + _turn("hi", "utter_greet")
    assert is_turn_start(events, 3)
    assert not is_turn_start(events, 2) and not is_turn_start(events, 0)
    assert user_turns_after(events, 0) == 1


def test_the_cut_keeps_the_asked_number_of_turns() -> None:
    events = _start()
    for n in range(10):
        events += _turn(f"message {n}", "utter_greet")
    cut = cut_index(events, 1, keep_turns=4)
    assert cut is not None and user_turns_after(events, cut) == 4
    assert isinstance(events[cut], UserUttered) and events[cut].text == "message 6"
    assert cut_index(events, 1, keep_turns=11) is None  # not enough turns yet


def test_no_cut_while_a_form_is_active() -> None:
    events = _start()
    for n in range(3):
        events += _turn(f"before {n}", "utter_greet")
    events += [
        UserUttered("book", {"name": "schedule_event", "confidence": 1.0}),
        ActionExecuted("booking_form"),
        ActiveLoop("booking_form"),
        ActionExecuted(LISTEN),
    ]
    for n in range(6):
        events += _turn(f"inside {n}", "booking_form")
    cut = cut_index(events, 1, keep_turns=4)
    # the form never ended: the latest possible cut is the message that started it
    assert cut is not None and isinstance(events[cut], UserUttered)
    assert events[cut].text == "book"
    events += [
        UserUttered("stop", {"name": "stop", "confidence": 1.0}),
        ActionExecuted("booking_form"),
        ActiveLoop(None),
        ActionExecuted(LISTEN),
    ]
    events += _turn("after 0", "utter_greet") + _turn("after 1")
    later = cut_index(events, 1, keep_turns=2)
    assert later is not None and events[later].text == "after 0"


def test_restoring_events_give_the_same_state() -> None:
    domain = Domain.from_dict({"slots": {"event_title": {"type": "text", "mappings": []}}})
    original = DialogueStateTracker.from_events(
        "x",
        _start() + _turn("hi") + [SlotSet("event_title", "Haircut"), ConversationPaused()],
        domain.slots,
    )
    restored = DialogueStateTracker.from_events(
        "x", restoring_events(original, timestamp=123.0), domain.slots
    )
    assert restored.get_slot("event_title") == "Haircut"
    assert restored.is_paused()
    assert restored.latest_action_name == LISTEN
    assert all(event.timestamp == 123.0 for event in restoring_events(original, 123.0))


def test_unset_slots_are_not_restored() -> None:
    slot = TextSlot("event_title", mappings=[])
    tracker = DialogueStateTracker.from_events("x", _start(), [slot])
    assert not [e for e in restoring_events(tracker, 1.0) if isinstance(e, SlotSet)]


def test_the_latest_session_start() -> None:
    events = _start() + _turn("one") + _start() + _turn("two")
    assert last_session_start(events) == 3 + 2
    assert last_session_start(_turn("no session")) == 0
