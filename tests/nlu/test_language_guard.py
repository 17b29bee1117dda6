"""LanguageGuard: messages clearly in another language become out_of_scope; others stay."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.language_guard import LanguageGuard


def _message(text: str) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": "schedule_event", "confidence": 0.97}, add_to_output=True)
    return message


def test_another_language_is_out_of_scope() -> None:
    guard = LanguageGuard()
    [message] = guard.process([_message("quiero reservar una cita para mañana")])
    assert message.get(INTENT) == {"name": "out_of_scope", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY) == [{"name": "out_of_scope", "confidence": 1.0}]


def test_english_and_button_payloads_keep_their_intent() -> None:
    guard = LanguageGuard()
    english, payload = guard.process(
        [_message("book a haircut tomorrow"), _message('/inform{"una": "para la cita"}')]
    )
    assert english.get(INTENT)["name"] == "schedule_event"
    assert payload.get(INTENT)["name"] == "schedule_event"
