"""fallbacks: what the assistant says when it cannot act, with the main actions as buttons."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.fallbacks import MAIN_ACTIONS, ActionNotUnderstood, ActionOutOfScope, fallback_reply
from tests.actions.factories import make_tracker


def test_outside_the_form_the_main_actions_are_offered() -> None:
    reply = fallback_reply("what's the weather", out_of_scope=True, in_form=False)
    assert reply["text"].startswith("Sorry, I can't help with that.")
    assert "book" in reply["text"] and reply["buttons"] == MAIN_ACTIONS
    assert [b["payload"] for b in MAIN_ACTIONS] == [
        "/schedule_event",
        "/check_availability",
        "/help",
    ]


def test_inside_the_form_the_reply_is_short_and_has_no_buttons() -> None:
    reply = fallback_reply("blah", out_of_scope=False, in_form=True)
    assert reply["buttons"] == [] and "finish this booking" in reply["text"]


def test_another_language_is_named() -> None:
    reply = fallback_reply(
        "quiero reservar una cita para mañana", out_of_scope=False, in_form=False
    )
    assert "only speak English" in reply["text"] and "Spanish" in reply["text"]


async def test_the_actions_answer_by_the_active_loop() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("xyzzy", intent="nlu_fallback", active_loop=None)
    assert await ActionNotUnderstood().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages[0]["buttons"] == MAIN_ACTIONS
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(
        dispatcher, make_tracker("order a pizza", intent="out_of_scope"), {}
    )
    assert dispatcher.messages[0]["buttons"] == []
    assert dispatcher.messages[0]["text"].startswith("Sorry, I can't help with that.")
