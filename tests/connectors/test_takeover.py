"""A message taken over from a dead process is not handled twice by Rasa: the answer the
conversation already holds is replayed instead."""

from __future__ import annotations

from datetime import timedelta

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from booking_core.messaging.inbox import claim_next
from booking_core.messaging.store import persist_inbound
from connectors.takeover import answer_in_tracker, handle_taken_over
from connectors.whatsapp.parse import parse_whatsapp
from standins import webhooks as f
from standins.platform_apis import text_of
from tests.connectors.conftest import FakeAgent, running, whatsapp_channel
from tests.connectors.helpers import messages

BUTTONS = [{"title": "Yes", "payload": "/affirm"}]
EVENTS = [
    UserUttered("hi", message_id="m1"),
    ActionExecuted("utter_greet"),
    BotUttered("Hello!", {"buttons": BUTTONS}, {"button_type": "vertical"}),
    BotUttered("How can I help?"),
    UserUttered("book", message_id="m2"),
    BotUttered("What?"),
]


def test_the_answer_is_the_bot_messages_up_to_the_next_user_message() -> None:
    answer = answer_in_tracker(EVENTS, "m1")
    assert answer is not None
    assert [(m["text"], m.get("buttons"), m.get("button_type")) for m in answer] == [
        ("Hello!", BUTTONS, "vertical"),
        ("How can I help?", None, None),
    ]
    assert [m["text"] for m in answer_in_tracker(EVENTS, "m2") or []] == ["What?"]


def test_a_message_the_conversation_does_not_hold_has_no_answer() -> None:
    assert answer_in_tracker(EVENTS, "m3") is None
    assert answer_in_tracker([], "m1") is None
    # Handled, but Rasa said nothing: an empty answer, not a reason to handle it again.
    assert answer_in_tracker([UserUttered("ok", message_id="m4")], "m4") == []


async def _store_with(events: list) -> InMemoryTrackerStore:  # type: ignore[type-arg]
    store = InMemoryTrackerStore(Domain.empty())
    await store.save(DialogueStateTracker.from_events("s", events))
    return store


async def test_replays_instead_of_handling_again() -> None:
    handled: list[UserMessage] = []

    async def handle(message: UserMessage) -> None:
        handled.append(message)

    output = CollectingOutputChannel()
    store = await _store_with(EVENTS)
    await handle_taken_over(store, handle, UserMessage("hi", output, "s", message_id="m1"))
    assert handled == []
    assert [m["text"] for m in output.messages] == ["Hello!", "How can I help?"]

    await handle_taken_over(store, handle, UserMessage("new", output, "s", message_id="m9"))
    await handle_taken_over(store, handle, UserMessage("new", output, "other", message_id="m1"))
    assert [m.text for m in handled] == ["new", "new"]


async def test_channel_replays_the_answer_of_a_message_rasa_handled_before_the_crash(
    sqlite_settings, standin
) -> None:
    channel = whatsapp_channel(standin)
    assert channel.directory.env_account is not None
    payload = f.wa_text("447700900077", "book a haircut")
    [inbound] = parse_whatsapp(f.body_bytes(payload)).messages
    assert persist_inbound(None, channel.directory.env_account, inbound) is not None
    # The process that claimed it had Rasa handle it (the tracker holds the message and the
    # answer), then died before completing it: nothing was queued.
    assert claim_next(None, channel="whatsapp", limit=1, lease=channel.lease)
    agent = FakeAgent()
    sender = "default:whatsapp:447700900077"
    tracker = await agent.tracker_store.get_or_create_tracker(sender)
    tracker.update(UserUttered("book a haircut", message_id=inbound.platform_message_id))
    tracker.update(BotUttered("Which day?"))
    await agent.tracker_store.save(tracker)

    channel.lease = timedelta(seconds=-1)  # its lease has run out
    async with running(channel, agent) as h:
        await h.settle()
    assert agent.messages == []  # not handed to Rasa again
    assert [text_of(r) for r in standin.messages("/whatsapp")] == ["Which day?"]
    assert [(m.direction, m.status) for m in messages(sqlite_settings)] == [
        ("in", "processed"),
        ("out", "sent"),
    ]
    events = (await agent.tracker_store.retrieve(sender)).events  # type: ignore[union-attr]
    assert sum(isinstance(e, UserUttered) for e in events) == 1
