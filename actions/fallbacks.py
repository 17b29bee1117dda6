"""What the assistant says when it cannot help: what it can do, as buttons, in its language.

An out-of-scope request or a message the classifier is unsure of gets the main actions as
buttons (book, my bookings, help), so a customer is never left at a dead end. A message
clearly written in another language gets one line saying the assistant speaks English.
Inside the booking form the reply is short and the form's question follows.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from nlu.languages import other_language

MAIN_ACTIONS = [
    {"title": "Book an appointment", "payload": "/schedule_event"},
    {"title": "My bookings", "payload": "/check_availability"},
    {"title": "Help", "payload": "/help"},
]


def fallback_reply(text: str, *, out_of_scope: bool, in_form: bool) -> dict[str, Any]:
    """The reply (text and buttons) to a message the assistant cannot act on."""
    language = other_language(text)
    if language:
        line = (
            f"Sorry, I only speak English for now (that looks like {language}). "
            "I can book, move and cancel appointments: tell me what, when and for how long."
        )
        return {"text": line, "buttons": [] if in_form else MAIN_ACTIONS}
    if in_form:
        opening = "Sorry, I can't help with that." if out_of_scope else "Sorry, I didn't get that."
        return {"text": f"{opening} Let's finish this booking first (or say \"stop\").",
                "buttons": []}  # fmt: skip
    opening = (
        "Sorry, I can't help with that." if out_of_scope else "Sorry, I didn't quite get that."
    )
    return {
        "text": f"{opening} I can book an appointment, show what you have booked, and move "
        "or cancel a booking.",
        "buttons": MAIN_ACTIONS,
    }


class _Fallback:
    """What both fallbacks do. Not an Action itself: rasa-sdk registers every Action subclass
    it finds (`rasa run actions` stopped with "An action must implement a name")."""

    out_of_scope = False

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Say what can be done; inside the form, the rules run the form again after this."""
        text = str((tracker.latest_message or {}).get("text") or "")
        reply = fallback_reply(
            text, out_of_scope=self.out_of_scope, in_form=bool(tracker.active_loop_name)
        )
        dispatcher.utter_message(text=reply["text"], buttons=reply["buttons"])
        return []


class ActionOutOfScope(_Fallback, Action):
    """An out-of-scope request."""

    out_of_scope = True

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_out_of_scope"


class ActionNotUnderstood(_Fallback, Action):
    """A message the classifier was not sure of (nlu_fallback)."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_not_understood"
