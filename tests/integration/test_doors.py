"""Every door of the running assistant, tried as an attacker on the machine would (issue 15):
Rasa's HTTP API, the action server and the REST channel, in the `make run` configuration and
the production one. Real processes started as the scripts start them (tests/integration)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.integration import servers

pytestmark = pytest.mark.slow
TOKEN = servers.TOKENS["RASA_AUTH_TOKEN"]


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port` (Linux /proc/net/tcp{,6})."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


@pytest.fixture(scope="module", params=["embedded", "production"])
def assistant(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The session's running assistants: the `make run` one and the production cluster."""
    if request.param == "embedded":
        return dict(request.getfixturevalue("embedded_assistant"), kind="embedded")
    cluster = request.getfixturevalue("production_cluster")
    # The process the crash test (test_faults.py) leaves alone.
    return {**cluster, "url": cluster["urls"][1], "kind": "production"}


def rest_headers(assistant: dict[str, Any]) -> dict[str, str]:
    token = assistant["env"].get("REST_CHANNEL_TOKEN")
    return {"Authorization": f"Bearer {token}"} if token else {}


def say(assistant: dict[str, Any], body: dict[str, Any]) -> list[dict[str, Any]]:
    response = requests.post(f"{assistant['url']}/webhooks/rest/webhook", json=body,
                             headers=rest_headers(assistant), timeout=60)  # fmt: skip
    response.raise_for_status()
    return list(response.json())


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/conversations/default:whatsapp:447700900001/tracker", None),
        ("PUT", "/conversations/default:whatsapp:447700900001/tracker/events", []),
        ("POST", "/conversations/x/trigger_intent", {"name": "greet"}),
        ("POST", "/model/parse", {"text": "hi"}),
        ("PUT", "/model", {"model_server": {"url": "http://127.0.0.1:9/model.tar.gz"}}),
        ("DELETE", "/model", None),
        ("GET", "/status", None),
        ("GET", "/domain", None),
    ],
)
def test_rasa_api_without_the_token_is_refused(
    assistant: dict[str, Any], method: str, path: str, body: Any
) -> None:
    response = requests.request(method, assistant["url"] + path, json=body, timeout=10)
    assert response.status_code == 401, response.text
    # The model is still loaded: nothing above reached it.
    status = requests.get(servers.status_url(assistant["url"]), timeout=10)
    assert status.status_code == 200 and status.json().get("model_file")


def test_rasa_api_with_the_token_answers(assistant: dict[str, Any]) -> None:
    response = requests.get(f"{assistant['url']}/conversations/nobody/tracker",
                            params={"token": TOKEN}, timeout=10)  # fmt: skip
    assert response.status_code == 200 and response.json()["sender_id"] == "nobody"


def test_rasa_and_the_action_server_listen_on_loopback_only(assistant: dict[str, Any]) -> None:
    for url in (assistant["url"], assistant["actions_url"]):
        port = int(url.rsplit(":", 1)[1])
        addresses = listening_addresses(port)
        assert addresses == {"0100007F"}, (url, addresses)  # 127.0.0.1, nothing else


def test_the_action_server_runs_nothing_without_the_token(assistant: dict[str, Any]) -> None:
    call = {"next_action": "action_show_agenda", "sender_id": "bravo:whatsapp:1",
            "tracker": {"sender_id": "bravo:whatsapp:1", "events": [], "slots": {},
                        "latest_message": {"metadata": {"tenant": "bravo"}}},
            "domain": {}, "version": "3.6.21"}  # fmt: skip
    url = assistant["actions_url"] + "/webhook"
    assert requests.post(url, json=call, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert requests.post(url, json=call, headers=wrong, timeout=10).status_code == 403
    assert requests.get(assistant["actions_url"] + "/health", timeout=10).status_code == 200


def test_production_rest_needs_its_token(assistant: dict[str, Any]) -> None:
    if assistant["kind"] != "production":
        pytest.skip("the `make run` REST channel has no token and listens on loopback: "
                    "tests/terminal refuses another address on plain `rasa run`")
    url = f"{assistant['url']}/webhooks/rest/webhook"
    body = {"sender": "intruder", "message": "hi"}
    assert requests.post(url, json=body, timeout=10).status_code == 401
    bad = {"Authorization": "Bearer wrong"}
    assert requests.post(url, json=body, headers=bad, timeout=10).status_code == 403


def _add_tenant(db_url: str, slug: str) -> int:
    from booking_core.db import repository as repo
    from booking_core.db.session import dispose_engines, session_scope

    with session_scope(db_url) as session:
        tenant = repo.get_tenant_by_slug(session, slug=slug)
        if tenant is None:
            tenant = repo.create_tenant(session, name=slug.title(), slug=slug,
                                        timezone="Europe/London")  # fmt: skip
            session.flush()
        tenant_id = int(tenant.id)
    dispose_engines(db_url)
    return tenant_id


def test_rest_client_cannot_book_into_another_tenant_or_its_conversations(
    assistant: dict[str, Any],
) -> None:
    """What Rasa's REST channel allowed: another tenant in the metadata, another tenant's
    WhatsApp conversation as the sender, another input channel."""
    run = uuid.uuid4().hex[:6]
    slug = f"bravo{run}"
    bravo_id = _add_tenant(assistant["db_url"], slug)
    victim = f"{slug}:whatsapp:4477009{run}"
    today = datetime.now(ZoneInfo("Europe/London")).date()
    # The Thursday of the week after next: no other test books that day (the shared
    # databases of a test session would otherwise clash at some hours).
    thursday = today + timedelta(days=14 - today.weekday() + 3)
    metadata = {"tenant": slug, "tenant_id": bravo_id, "channel": "whatsapp"}
    forged = {"sender": victim, "input_channel": "whatsapp", "metadata": metadata}
    hour = 9 + int(run, 16) % 7
    summary = say(assistant, {**forged, "message": f"book a yoga class on {thursday:%d %B} at "
                                                   f"{hour}:00 for 30 minutes"})  # fmt: skip
    assert "Shall I book it?" in " ".join(str(m.get("text")) for m in summary), summary
    booked = say(assistant, {**forged, "message": "yes"})
    assert str(booked[0].get("text", "")).startswith("Booked: Yoga class"), booked
    engine = create_engine(assistant["db_url"], future=True)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT e.tenant_id, c.channel, c.platform_user_id FROM calendar_events e "
            "JOIN contacts c ON c.id = e.contact_id WHERE c.platform_user_id = :user"),
            {"user": victim}).all()  # fmt: skip
    engine.dispose()
    [(tenant_id, channel, _)] = rows
    assert tenant_id != bravo_id and channel == "rest"
    # The victim's WhatsApp conversation was never written.
    tracker = requests.get(f"{assistant['url']}/conversations/{victim}/tracker",
                           params={"token": TOKEN}, timeout=10).json()  # fmt: skip
    assert [e for e in tracker["events"] if e.get("event") == "user"] == []
