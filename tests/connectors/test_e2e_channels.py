"""End to end over WhatsApp, Telegram and Instagram: trained model + action server + Rasa server
with the three custom channels, the platform APIs replaced by a stand-in on loopback.

A full booking per channel, confirmed by pressing the platform's Yes button, must end with one
event in the database and the expected replies at the stand-in; the first delivery is sent three
times concurrently and must be answered once.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable

import pytest
import requests
from sqlalchemy import create_engine, text

from standins import webhooks as f
from standins.platform_apis import Recorded, StandIn, buttons_of, text_of
from tests.integration.clusters import IG_SECRET, TG_SECRET, WA_SECRET

pytestmark = pytest.mark.slow


# A weekday inside the default opening hours (Mon-Fri 09:00-17:00), a different hour per
# channel so the three bookings do not clash with each other, nor with the REST tests' bookings
# on the same shared assistant (tests/integration/test_rest_booking.py).
def booking(hour: str) -> str:
    return f"book a dentist appointment next wednesday at {hour} for 45 minutes"


@pytest.fixture(scope="module")
def assistant(embedded_assistant: dict) -> dict:
    """The session's embedded assistant: REST and the three channels on SQLite
    (tests/integration/clusters.py)."""
    return embedded_assistant


@pytest.fixture(scope="module")
def standin(embedded_assistant: dict) -> StandIn:
    """The platform stand-in the shared assistant's channels talk to."""
    return embedded_assistant["standin"]


def post(assistant: dict, path: str, payload: dict, headers: Callable[[bytes], dict]) -> int:
    body = f.body_bytes(payload)
    response = requests.post(assistant["url"] + path, data=body, headers=headers(body), timeout=10)
    return response.status_code


def post_three_times(assistant: dict, path: str, payload: dict, headers) -> list[int]:
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        return list(pool.map(lambda _: post(assistant, path, payload, headers), range(3)))


def wait_message(
    standin: StandIn, prefix: str, predicate: Callable[[Recorded], bool], after: int = 0
) -> Recorded:
    found: list[Recorded] = []

    def check(s: StandIn) -> bool:
        found[:] = [r for r in s.messages(prefix)[after:] if predicate(r)]
        return bool(found)

    standin.wait_for(check, timeout=90)
    return found[0]


def events(assistant: dict, channel: str) -> list[tuple]:
    engine = create_engine(assistant["db_url"], future=True)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text(
                        "SELECT e.title, e.status FROM calendar_events e JOIN contacts c "
                        "ON c.id = e.contact_id WHERE c.channel = :channel"
                    ),
                    {"channel": channel},
                ).all()
            )
    finally:
        engine.dispose()


def summary(r: Recorded) -> bool:
    text = text_of(r)
    return "Dentist appointment, Wed" in text and "Shall I book it?" in text and bool(buttons_of(r))


def booked(r: Recorded) -> bool:
    return text_of(r).startswith("Booked: Dentist appointment")


def assert_booked_once(
    assistant: dict, standin: StandIn, prefix: str, channel: str, after: int
) -> None:
    reply = wait_message(standin, prefix, booked, after)
    assert ".ics" in text_of(reply)
    assert events(assistant, channel) == [("Dentist appointment", "confirmed")]
    assert len([r for r in standin.messages(prefix) if booked(r)]) == 1


def test_whatsapp_booking_confirmed_with_the_reply_button(assistant, standin) -> None:
    user = "447700900123"
    headers = lambda body: f.meta_headers(body, WA_SECRET)  # noqa: E731
    codes = post_three_times(
        assistant, "/whatsapp_webhook", f.wa_text(user, booking("1pm")), headers
    )
    assert codes == [200, 200, 200]
    question = wait_message(standin, "/whatsapp", summary)
    assert [t for t, _ in buttons_of(question)] == ["Yes", "Change", "Cancel"]
    assert len([r for r in standin.messages("/whatsapp") if summary(r)]) == 1
    yes_id = buttons_of(question)[0][1]
    wamid = question.response["messages"][0]["id"]
    count = len(standin.messages("/whatsapp"))
    assert (
        post(
            assistant,
            "/whatsapp_webhook",
            f.wa_button_reply(user, yes_id, "Yes", context_id=wamid),
            headers,
        )
        == 200
    )
    assert_booked_once(assistant, standin, "/whatsapp", "whatsapp", count)


def test_telegram_booking_confirmed_with_the_inline_button(assistant, standin) -> None:
    chat = 555000111
    headers = lambda body: f.telegram_headers(TG_SECRET)  # noqa: E731
    codes = post_three_times(
        assistant, "/telegram_webhook", f.tg_text(chat, booking("4pm")), headers
    )
    assert codes == [200, 200, 200]
    question = wait_message(standin, "/telegram", summary)
    assert [t for t, _ in buttons_of(question)] == ["Yes", "Change", "Cancel"]
    yes_data = buttons_of(question)[0][1]
    message_id = question.response["result"]["message_id"]
    count = len(standin.messages("/telegram"))
    assert (
        post(assistant, "/telegram_webhook", f.tg_callback(chat, yes_data, message_id), headers)
        == 200
    )
    assert_booked_once(assistant, standin, "/telegram", "telegram", count)
    assert standin.sent("/telegram", "answerCallbackQuery")
    [removed] = standin.sent("/telegram", "editMessageReplyMarkup")
    assert removed.json["message_id"] == message_id


def test_instagram_booking_confirmed_with_the_quick_reply(assistant, standin) -> None:
    user = "6500000000000123"
    headers = lambda body: f.meta_headers(body, IG_SECRET)  # noqa: E731
    codes = post_three_times(
        assistant, "/instagram_webhook", f.ig_text(user, booking("2pm")), headers
    )
    assert codes == [200, 200, 200]
    question = wait_message(standin, "/instagram", summary)
    title, payload = buttons_of(question)[0]
    assert title == "Yes"
    count = len(standin.messages("/instagram"))
    assert (
        post(assistant, "/instagram_webhook", f.ig_quick_reply(user, title, payload), headers)
        == 200
    )
    assert_booked_once(assistant, standin, "/instagram", "instagram", count)


def test_bad_signature_is_403_with_no_rows(assistant) -> None:
    body = f.body_bytes(f.wa_text("447700900999", "hi"))
    response = requests.post(
        assistant["url"] + "/whatsapp_webhook",
        data=body,
        headers=f.meta_headers(body, "forged"),
        timeout=10,
    )
    assert response.status_code == 403
    engine = create_engine(assistant["db_url"], future=True)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT count(*) FROM contacts WHERE platform_user_id = '447700900999'")
        ).scalar()
    engine.dispose()
    assert rows == 0


def test_rest_channel_still_works(assistant) -> None:
    response = requests.post(
        assistant["url"] + "/webhooks/rest/webhook",
        json={"sender": "rest-user", "message": "help"},
        timeout=60,
    )
    assert response.status_code == 200 and response.json()
