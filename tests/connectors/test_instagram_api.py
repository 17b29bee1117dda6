"""Instagram messaging API calls against the stand-in: reply parts, mark seen and typing."""

from __future__ import annotations

from connectors.accounts import Account
from connectors.instagram.api import instagram_message_id, instagram_request, mark_seen_and_typing
from connectors.instagram.format import instagram_parts
from connectors.retry import new_session
from tests.connectors.test_whatsapp_api import context

ACCOUNT = Account("instagram", "178", access_token="ig")


async def test_send_and_actions(sqlite_settings, standin) -> None:
    parts = instagram_parts("447", text="hello", image="https://x/y.png")
    async with new_session() as client:
        ctx = context(standin, client, "instagram", ACCOUNT, "/instagram/v23.0")
        await mark_seen_and_typing(ctx)
        results = [await instagram_request(ctx, part.body) for part in parts]
    mids = [instagram_message_id(ctx, result) for result in results]
    assert [(mid or "")[:7] for mid in mids] == ["mid.OUT", "mid.OUT"]
    assert [r.json.get("sender_action") for r in standin.requests[:2]] == ["mark_seen", "typing_on"]
    assert all(r.path == "/instagram/v23.0/178/messages" for r in standin.requests)


async def test_500s_exhaust_retries_and_fail(sqlite_settings, standin) -> None:
    standin.fail_next("/instagram", 500, {"error": {"message": "oops", "code": 1}}, times=10)
    async with new_session() as client:
        ctx = context(standin, client, "instagram", ACCOUNT, "/instagram/v23.0")
        [part] = instagram_parts("447", text="hello")
        result = await instagram_request(ctx, part.body)
    assert not result.ok and len(standin.requests) == 4  # FAST: four attempts
    assert instagram_message_id(ctx, result) is None
