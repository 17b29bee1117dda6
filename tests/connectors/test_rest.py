"""connectors/rest.py: the REST channel decides the tenant and the conversation, never the
client; its token; refusals before NLU (too long, not JSON, too big)."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any, cast

import pytest

from connectors.limits import MAX_BODY_BYTES, MAX_TEXT_CHARS, TOO_LONG_REPLY
from connectors.rest import BadRequestError, RestInput, read_request, rest_sender_id
from connectors.webhook import WebhookInput
from tests.connectors.conftest import FakeAgent, running

URL = "/webhooks/rest/webhook"
#: What Rasa's own REST channel let a client write: another tenant's WhatsApp conversation,
#: another tenant in the metadata, another input channel.
FORGED = {
    "sender": "bravo:whatsapp:447700900123",
    "message": "book a haircut tomorrow at 3pm",
    "metadata": {"tenant": "bravo", "tenant_id": 2, "platform_user_id": "447700900123"},
    "input_channel": "whatsapp",
}


def serving(channel: RestInput, agent: FakeAgent | None = None) -> Any:
    """The REST channel mounted by Rasa's register() on a fresh app (the connectors' harness)."""
    return running(cast(WebhookInput, channel), agent)


@pytest.fixture(autouse=True)
def default_tenant(monkeypatch: pytest.MonkeyPatch) -> None:
    from booking_core.settings import get_settings

    monkeypatch.setenv("DEFAULT_TENANT_SLUG", "acme")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_forged_sender_metadata_and_channel_are_ignored() -> None:
    async with serving(RestInput()) as h:
        answer = await h.client.post(h.url + URL, json=FORGED)
    assert answer.status_code == 200
    [message] = h.agent.messages
    assert message.sender_id == "acme:rest:bravo:whatsapp:447700900123"
    assert message.input_channel == "rest"
    assert message.metadata == {
        "tenant": "acme",
        "channel": "rest",
        "platform_user_id": "bravo:whatsapp:447700900123",
    }
    conversation = "acme:rest:bravo:whatsapp:447700900123"
    assert answer.json() == [{"recipient_id": conversation, "text": f"echo: {FORGED['message']}"}]


async def test_the_configured_tenant_names_the_conversation() -> None:
    async with serving(RestInput.from_credentials({"tenant": "zeta"})) as h:
        await h.client.post(h.url + URL, json={"sender": "me", "message": "hi"})
    assert h.agent.messages[0].sender_id == "zeta:rest:me"
    assert h.agent.messages[0].metadata["tenant"] == "zeta"


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong"}, 403), ({"Authorization": "Basic s3cret"}, 401)],
)
async def test_a_configured_token_is_required(headers: dict[str, str], status: int) -> None:
    async with serving(RestInput.from_credentials({"token": "s3cret"})) as h:
        answer = await h.client.post(h.url + URL, json={"sender": "me", "message": "hi"},
                                     headers=headers)  # fmt: skip
    assert answer.status_code == status
    assert h.agent.messages == []


async def test_the_right_token_is_let_in() -> None:
    async with serving(RestInput.from_credentials({"token": "s3cret"})) as h:
        answer = await h.client.post(h.url + URL, json={"sender": "me", "message": "hi"},
                                     headers={"Authorization": "Bearer s3cret"})  # fmt: skip
    assert answer.status_code == 200 and len(h.agent.messages) == 1


async def test_text_over_the_limit_never_reaches_nlu() -> None:
    too_long = {"sender": "me", "message": "a" * (MAX_TEXT_CHARS + 1)}
    just_fits = {"sender": "me", "message": "a" * MAX_TEXT_CHARS}
    async with serving(RestInput()) as h:
        long = await h.client.post(h.url + URL, json=too_long)
        fits = await h.client.post(h.url + URL, json=just_fits)
    assert long.json() == [{"recipient_id": "acme:rest:me", "text": TOO_LONG_REPLY}]
    assert fits.status_code == 200
    assert [len(m.text or "") for m in h.agent.messages] == [MAX_TEXT_CHARS]


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"sender": "", "message": "hi"}', b'{"sender": "me"}',
     b'{"sender": "a b", "message": "hi"}', b'{"sender": "me\\n", "message": "hi"}',
     b'{"sender": "x/../y", "message": "hi"}', b"[" * 100_000],
)  # fmt: skip
async def test_malformed_bodies_are_400_and_never_reach_rasa(body: bytes) -> None:
    async with serving(RestInput()) as h:
        answer = await h.client.post(h.url + URL, content=body,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 400, answer.text
    assert h.agent.messages == []


async def test_a_body_over_the_server_limit_is_refused_while_reading() -> None:
    async with serving(RestInput()) as h:
        answer = await h.client.post(h.url + URL, content=b"x" * (MAX_BODY_BYTES + 1))
    assert answer.status_code == 413
    assert h.agent.messages == []


async def test_invalid_unicode_in_the_text_is_replaced_not_a_500() -> None:
    body = b'{"sender": "me", "message": "hi \\ud83d\\u0000!"}'
    async with serving(RestInput()) as h:
        answer = await h.client.post(h.url + URL, content=body,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 200
    assert h.agent.messages[0].text == "hi \ufffd\ufffd!"


def test_read_request_accepts_numbers_as_senders_and_names_each_refusal() -> None:
    assert read_request({"sender": 42, "message": "hi"}) == ("42", "hi")
    assert read_request({"sender": "a.b-c_d~e@f+g=h:i", "message": ""})[0] == "a.b-c_d~e@f+g=h:i"
    for body, reason in [
        ({"sender": True, "message": "hi"}, "sender"),
        ({"sender": "x" * 129, "message": "hi"}, "longer"),
        ({"sender": "me", "message": 5}, "message"),
    ]:
        with pytest.raises(BadRequestError, match=reason):
            read_request(body)


def test_rest_sender_ids_cannot_name_a_platform_conversation() -> None:
    # A platform conversation is <tenant>:<platform>:<user>; a REST one always has "rest"
    # second, whatever the client sends.
    assert rest_sender_id("acme", "bravo:whatsapp:1").split(":")[:2] == ["acme", "rest"]


def test_the_token_comes_from_the_environment_unless_the_section_writes_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REST_CHANNEL_TOKEN", "from-env")
    assert RestInput.from_credentials(None).token == "from-env"
    assert RestInput.from_credentials({"token": "written"}).token == "written"
    monkeypatch.setenv("REST_CHANNEL_TOKEN", "")
    assert RestInput.from_credentials({}).token is None


@pytest.mark.parametrize(
    ("peer", "headers", "status"),
    [("127.0.0.1", {}, None), ("::1", {}, None), ("192.0.2.7", {}, 403),
     ("192.0.2.7", {"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=127.0.0.1"}, 403)],
)  # fmt: skip
def test_without_a_token_only_callers_on_this_machine_are_answered(
    peer: str, headers: dict[str, str], status: int | None
) -> None:
    refused = RestInput().authenticate(SimpleNamespace(headers=headers, ip=peer))  # type: ignore[arg-type]
    assert (refused.status if refused is not None else None) == status
    if refused is not None:
        assert b"REST_CHANNEL_TOKEN is not set" in refused.body


def test_with_a_token_another_machine_is_answered_when_it_sends_it() -> None:
    channel = RestInput(token="s3cret")
    caller = SimpleNamespace(headers={"Authorization": "Bearer s3cret"}, ip="192.0.2.7")
    assert channel.authenticate(caller) is None  # type: ignore[arg-type]
    refused = channel.authenticate(SimpleNamespace(headers={}, ip="127.0.0.1"))  # type: ignore[arg-type]
    assert refused is not None and refused.status == 401


async def test_start_up_says_once_that_it_answers_loopback_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="connectors.rest")
    async with serving(RestInput()):
        pass
    async with serving(RestInput(token="s3cret")):
        pass
    lines = [r.getMessage() for r in caplog.records if r.name == "connectors.rest"]
    assert lines == ["REST channel: REST_CHANNEL_TOKEN is not set, so it answers callers on "
                     "this machine (loopback) only"]  # fmt: skip
