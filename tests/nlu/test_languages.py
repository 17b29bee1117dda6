"""languages: a message clearly in another language is named; English and names are not."""

from __future__ import annotations

import pytest

from nlu.languages import other_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("quiero reservar una cita para mañana", "Spanish"),
        ("je voudrais un rendez-vous demain matin", "French"),
        ("ich möchte einen Termin morgen um 3 Uhr", "German"),
        ("vorrei prenotare un appuntamento domani", "Italian"),
        ("quero marcar uma consulta amanhã", "Portuguese"),
        ("ik wil een afspraak maken voor morgen", "Dutch"),
        ("Записаться на стрижку завтра", "Russian"),
        ("明日予約したいです", "Japanese"),
        ("我想预约明天", "Chinese or Japanese"),
    ],
)
def test_other_languages_are_named(text: str, language: str) -> None:
    assert other_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "book a haircut tomorrow at 3",
        "coffee with the landlord",
        "hola",
        "la la land night",
        "can I see Dr de la Cruz tomorrow",
        "appointment with José at the café",
        "what is the time in paris",
        "",
    ],
)
def test_english_names_and_short_words_stay_english(text: str) -> None:
    assert other_language(text) is None
