"""send_whatsapp_message / mark read against the stand-in Graph API, rows recorded."""

from __future__ import annotations

from connectors.accounts import Account
from connectors.inbound import InboundMessage
from connectors.outbound import SendContext
from connectors.retry import new_session
from connectors.store import persist_inbound
from connectors.whatsapp import send_whatsapp_message
from connectors.whatsapp.api import mark_whatsapp_read
from tests.connectors.conftest import FAST
from tests.connectors.helpers import messages

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


async def test_send_records_each_part_with_its_wamid(sqlite_settings, standin) -> None:
    async with new_session() as client:
        ctx = context(standin, client)
        outcomes = await send_whatsapp_message(
            ctx, text="x" * 5000, buttons=[{"title": "Yes", "payload": "/affirm"}]
        )
    assert [o.ok for o in outcomes] == [True, True]
    rows = messages(sqlite_settings, "out")
    assert [r.platform_message_id for r in rows] == [o.platform_message_id for o in outcomes]
    assert rows[1].payload["buttons"] == [{"title": "Yes", "payload": "/affirm"}]
    assert rows[1].payload["request"]["type"] == "interactive"


async def test_failure_stops_the_rest_and_is_stored(sqlite_settings, standin) -> None:
    standin.fail_next(
        "/messages",
        401,
        {"error": {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}},
    )
    async with new_session() as client:
        ctx = context(standin, client)
        outcomes = await send_whatsapp_message(ctx, text="a\n\n" + "b" * 5000)
        read = await mark_whatsapp_read(ctx, "wamid.in")
    assert len(outcomes) == 1 and not outcomes[0].ok
    [row] = messages(sqlite_settings, "out")
    assert row.status == "failed" and "Invalid OAuth access token (code 190)" in row.error
    assert read.ok and standin.requests[-1].json["status"] == "read"
