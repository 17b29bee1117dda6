"""End to end over WhatsApp, Telegram and Instagram: trained model + action server + Rasa server
with the three custom channels, the platform APIs replaced by a stand-in on loopback.

A full booking per channel, confirmed by pressing the platform's Yes button, must end with one
event in the database and the expected replies at the stand-in; the first delivery is sent three
times concurrently and must be answered once.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.connectors import factories as f
from tests.connectors.standins import Recorded, StandIn, buttons_of, text_of
from tests.integration import servers

pytestmark = pytest.mark.slow

WA_SECRET, TG_SECRET, IG_SECRET = "e2e-wa-secret", "e2e_tg_secret", "e2e-ig-secret"
ENV = {
    "WHATSAPP_VERIFY_TOKEN": "e2e-verify",
    "WHATSAPP_APP_SECRET": WA_SECRET,
    "WHATSAPP_ACCESS_TOKEN": "e2e-wa-token",
    "WHATSAPP_PHONE_NUMBER_ID": f.PHONE_NUMBER_ID,
    "TELEGRAM_BOT_TOKEN": f.BOT_TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
    "INSTAGRAM_APP_ID": "e2e-app",
    "INSTAGRAM_APP_SECRET": IG_SECRET,
    "INSTAGRAM_PAGE_ID": f.IG_ACCOUNT_ID,
    "INSTAGRAM_ACCESS_TOKEN": "e2e-ig-token",
    "INSTAGRAM_VERIFY_TOKEN": "e2e-ig-verify",
}


# A weekday inside the default opening hours (Mon-Fri 09:00-17:00), a different hour per
# channel so the three bookings do not clash with each other.
def booking(hour: str) -> str:
    return f"book a dentist appointment next wednesday at {hour} for 45 minutes"


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with StandIn() as server:
        yield server


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, standin: StandIn) -> Iterator[dict]:
    """Action server and Rasa server with the three channels, on a fresh SQLite database."""
    servers.require_model()
    work = tmp_path_factory.mktemp("e2e-channels")
    db_url = f"sqlite:///{work / 'booking.db'}"
    env = {
        **os.environ,
        **ENV,
        "DATABASE_URL": db_url,
        "DEFAULT_TIMEZONE": "Europe/London",
        "WHATSAPP_API_URL": f"{standin.url}/whatsapp/v21.0",
        "TELEGRAM_API_URL": f"{standin.url}/telegram",
        "INSTAGRAM_API_URL": f"{standin.url}/instagram/v23.0",
        "PYTHONPATH": str(servers.ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    subprocess.run(
        [sys.executable, "-m", "booking_core.db.migrate"], cwd=servers.ROOT, env=env, check=True
    )
    procs: list[subprocess.Popen[bytes]] = []
    try:
        url, procs = servers.start_assistant(env, work, servers.ROOT / "credentials.yml")
        yield {"url": url, "db_url": db_url, "log": work / "rasa.log"}
    finally:
        servers.stop(procs)


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
        assistant, "/whatsapp_webhook", f.wa_text(user, booking("10am")), headers
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
        assistant, "/telegram_webhook", f.tg_text(chat, booking("11am")), headers
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
