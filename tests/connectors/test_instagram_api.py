"""send_instagram_message / mark seen against the stand-in Graph API."""

from __future__ import annotations

from connectors.accounts import Account
from connectors.instagram import send_instagram_message
from connectors.instagram.api import mark_seen_and_typing
from connectors.retry import new_session
from tests.connectors.helpers import messages
from tests.connectors.test_whatsapp_api import context

ACCOUNT = Account("instagram", "178", access_token="ig")


async def test_send_and_actions(sqlite_settings, standin) -> None:
    async with new_session() as client:
        ctx = context(standin, client, "instagram", ACCOUNT, "/instagram/v23.0")
        await mark_seen_and_typing(ctx)
        outcomes = await send_instagram_message(ctx, text="hello", image="https://x/y.png")
    assert [o.platform_message_id[:7] for o in outcomes] == ["mid.OUT", "mid.OUT"]
    assert [r.json.get("sender_action") for r in standin.requests[:2]] == ["mark_seen", "typing_on"]
    assert all(r.path == "/instagram/v23.0/178/messages" for r in standin.requests)
    assert [r.status for r in messages(sqlite_settings, "out")] == ["sent", "sent"]


async def test_500s_exhaust_retries_and_fail(sqlite_settings, standin) -> None:
    standin.fail_next("/instagram", 500, {"error": {"message": "oops", "code": 1}}, times=10)
    async with new_session() as client:
        ctx = context(standin, client, "instagram", ACCOUNT, "/instagram/v23.0")
        [outcome] = await send_instagram_message(ctx, text="hello")
    assert not outcome.ok and len(standin.requests) == 4
    assert messages(sqlite_settings, "out")[0].status == "failed"
