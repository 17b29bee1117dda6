"""Erasure end to end (issue 15, finding 4): a contact's conversation goes through a running
Rasa server on each channel, then `DELETE /api/v1/contacts/{id}` (the admin API, in-process,
pointed at that server and its tracker store) must leave no user text in the tracker, no
message rows, and say only what it did - with Rasa's in-memory tracker store (the `make run`
configuration) and the SQL tracker store (production, two Rasa processes on PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from booking_core.db import repository as repo
from booking_core.db.models import Contact, Message
from booking_core.db.session import dispose_engines, session_scope
from standins import webhooks as f
from standins.platform_apis import StandIn
from tests.integration import servers
from tests.integration.clusters import FAULT_APP_SECRET, IG_SECRET, TG_SECRET, WA_SECRET

pytestmark = pytest.mark.slow
TOKEN = servers.TOKENS["RASA_AUTH_TOKEN"]


def user_texts(rasa_url: str, sender_id: str) -> list[str]:
    """The user messages Rasa's tracker of `sender_id` holds (read with the API token)."""
    params = {"token": TOKEN, "include_events": "ALL"}
    response = requests.get(f"{rasa_url}/conversations/{sender_id}/tracker", params=params,
                            timeout=10)  # fmt: skip
    response.raise_for_status()
    events = response.json()["events"]
    return [str(e.get("text")) for e in events if e.get("event") == "user"]


def _contact(db_url: str, channel: str, user: str) -> tuple[int, int]:
    """(tenant id, contact id) of the default tenant's contact."""
    with session_scope(db_url) as session:
        tenant = repo.get_tenant_by_slug(session, slug="default")
        assert tenant is not None
        contact = repo.upsert_contact(session, tenant_id=tenant.id, channel=channel,
                                      platform_user_id=user)  # fmt: skip
        session.flush()
        return int(tenant.id), int(contact.id)


def _rows(db_url: str, contact_id: int) -> tuple[int, int]:
    with session_scope(db_url) as session:
        contacts = session.query(Contact).filter_by(id=contact_id).count()
        messages = session.query(Message).filter_by(contact_id=contact_id).count()
    return contacts, messages


@pytest.fixture
def admin_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., TestClient]]:
    """The admin API for a running assistant: its database, its Rasa server and token, and
    (production) its SQL tracker store."""
    from api.main import create_app

    clients: list[TestClient] = []

    def make(db_url: str, rasa_url: str, tracker_store_url: str | None) -> TestClient:
        monkeypatch.setenv("RASA_URL", rasa_url)
        monkeypatch.setenv("RASA_AUTH_TOKEN", TOKEN)
        if tracker_store_url:
            monkeypatch.setenv("TRACKER_STORE_URL", tracker_store_url)
        else:
            monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
        client = TestClient(create_app(database_url=db_url))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _tenant_key(db_url: str, tenant_id: int) -> dict[str, str]:
    with session_scope(db_url) as session:
        _, secret = repo.create_api_key(session, tenant_id=tenant_id, name="erasure test")
    dispose_engines(db_url)
    return {"Authorization": f"Bearer {secret}"}


def _deliver(
    kind: str,
    url: str,
    standin: StandIn,
    run: str,
    *,
    app_secret: str = WA_SECRET,
    rest_headers: dict[str, str] | None = None,
) -> tuple[str, str]:
    """One user message through channel `kind`; returns (contact channel, platform user id)
    once Rasa has answered it."""
    text = f"what can you do {run}"
    if kind == "rest":
        user = f"eraseme-{run}"
        response = requests.post(f"{url}/webhooks/rest/webhook",
                                 json={"sender": user, "message": text}, timeout=60,
                                 headers=rest_headers or {})  # fmt: skip
        response.raise_for_status()
        return "rest", user
    before = len(standin.messages(f"/{kind}"))
    if kind == "whatsapp":
        user = "4477009" + str(int(run, 16) % 100000).zfill(5)
        body = f.body_bytes(f.wa_text(user, text))
        headers = f.meta_headers(body, app_secret)
    elif kind == "telegram":
        user = str(700_000_000 + int(run, 16) % 1_000_000)
        body, headers = f.body_bytes(f.tg_text(int(user), text)), f.telegram_headers(TG_SECRET)
    else:
        user = "65" + str(int(run, 16)).zfill(14)[:14]
        body = f.body_bytes(f.ig_text(user, text))
        headers = f.meta_headers(body, IG_SECRET)
    assert requests.post(f"{url}/{kind}_webhook", data=body, headers=headers,
                         timeout=10).status_code == 200  # fmt: skip
    standin.wait_for(lambda s: len(s.messages(f"/{kind}")) > before, timeout=90)
    return kind, user


def _erase_and_check(
    client: TestClient, db_url: str, rasa_urls: list[str], channel: str, user: str
) -> dict[str, Any]:
    tenant_id, contact_id = _contact(db_url, channel, user)
    sender_id = f"default:{channel}:{user}"
    for rasa_url in rasa_urls:
        assert any(text.startswith("what can you do") for text in user_texts(rasa_url, sender_id))
    answer = client.delete(f"/api/v1/contacts/{contact_id}", headers=_tenant_key(db_url, tenant_id))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["tracker"]["sender_ids"] == [sender_id]
    for rasa_url in rasa_urls:
        assert user_texts(rasa_url, sender_id) == [], rasa_url
    assert _rows(db_url, contact_id) == (0, 0)
    return dict(body)


@pytest.mark.parametrize("kind", ["whatsapp", "telegram", "instagram", "rest"])
def test_erasure_with_the_in_memory_tracker_store(
    embedded_assistant: dict[str, Any], admin_api: Callable[..., TestClient], kind: str
) -> None:
    assistant = embedded_assistant
    run = uuid.uuid4().hex[:8]
    channel, user = _deliver(kind, assistant["url"], assistant["standin"], run)
    client = admin_api(assistant["db_url"], assistant["url"], None)
    body = _erase_and_check(client, assistant["db_url"], [assistant["url"]], channel, user)
    assert body["tracker"]["rasa_server"] == "tracker replaced by an empty one"
    assert body["tracker"]["sql_tracker_store"] == "not configured"
    if kind != "rest":
        assert body["deleted_messages"] >= 2  # the user's message and the answer


@pytest.mark.parametrize("kind", ["whatsapp", "rest"])
def test_erasure_with_the_sql_tracker_store(
    production_cluster: dict[str, Any], admin_api: Callable[..., TestClient], kind: str
) -> None:
    cluster = production_cluster
    run = uuid.uuid4().hex[:8]
    url = cluster["ingest"] if kind == "whatsapp" else cluster["urls"][1]
    rest = {"Authorization": f"Bearer {cluster['env']['REST_CHANNEL_TOKEN']}"}
    channel, user = _deliver(kind, url, cluster["standin"], run, app_secret=FAULT_APP_SECRET,
                             rest_headers=rest)  # fmt: skip
    client = admin_api(cluster["db_url"], cluster["urls"][1], cluster["db_url"])
    body = _erase_and_check(client, cluster["db_url"], cluster["urls"], channel, user)
    assert body["tracker"]["sql_tracker_store"] == "deleted"
    assert body["tracker"]["sql_events_deleted"] > 0
