"""WhatsApp Cloud API calls against the stand-in Graph API: a queued reply part is one
/messages request (retried per the policy) whose wamid is read back; mark read + typing."""

from __future__ import annotations

from booking_core.messaging.store import persist_inbound
from connectors.accounts import Account
from connectors.inbound import InboundMessage
from connectors.outbound import SendContext
from connectors.retry import new_session
from connectors.whatsapp.api import mark_whatsapp_read, whatsapp_message_id, whatsapp_request
from connectors.whatsapp.format import whatsapp_parts
from tests.connectors.conftest import FAST

ACCOUNT = Account("whatsapp", "111", access_token="tok")


def context(
    standin,
    client,
    channel: str = "whatsapp",
    account: Account = ACCOUNT,
    api: str = "/whatsapp/v21.0",
) -> SendContext:
    job = persist_inbound(
        None,
        account,
        InboundMessage(
            channel=channel,
            platform_message_id="in-1",
            platform_user_id="447",
            chat_id="447",
            kind="text",
            text="hi",
        ),
    )
    assert job is not None
    return SendContext(
        client=client,
        account=account,
        api_url=standin.url + api,
        database_url=None,
        tenant_id=job.tenant.id,
        contact_id=job.contact_id,
        recipient="447",
        channel=channel,
        policy=FAST,
    )


async def test_each_part_is_one_request_with_the_token_and_its_wamid(
    sqlite_settings, standin
) -> None:
    parts = whatsapp_parts("447", text="x" * 5000, buttons=[{"title": "Yes", "payload": "/affirm"}])
    async with new_session() as client:
        ctx = context(standin, client)
        results = [await whatsapp_request(ctx, part.body) for part in parts]
    assert len(parts) == 2 and all(result.ok for result in results)
    wamids = [whatsapp_message_id(ctx, result) for result in results]
    assert all(w and w.startswith("wamid.OUT") for w in wamids) and len(set(wamids)) == 2
    first, second = standin.sent("/whatsapp")
    assert first.path == "/whatsapp/v21.0/111/messages"
    assert first.headers["Authorization"] == "Bearer tok"
    assert second.json["type"] == "interactive"


async def test_a_refused_token_is_a_failure_with_the_platforms_reason(
    sqlite_settings, standin
) -> None:
    standin.fail_next(
        "/messages",
        401,
        {"error": {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}},
    )
    async with new_session() as client:
        ctx = context(standin, client)
        [part] = whatsapp_parts("447", text="hello")
        refused = await whatsapp_request(ctx, part.body)
        read = await mark_whatsapp_read(ctx, "wamid.in")
    assert not refused.ok and "Invalid OAuth access token (code 190)" in (refused.error or "")
    assert whatsapp_message_id(ctx, refused) is None
    assert read.ok and standin.requests[-1].json["status"] == "read"
    assert standin.requests[-1].json["message_id"] == "wamid.in"
