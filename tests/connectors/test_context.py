"""PlatformClient: one pooled session per channel, contexts carrying policy and sleep."""

from __future__ import annotations

from booking_core.retry_policy import PLATFORM_RETRY
from connectors.accounts import Account, AccountDirectory
from connectors.context import PlatformClient


async def sleep(seconds: float) -> None:
    """Never waits."""


async def test_contexts_share_the_session_and_carry_policy_and_sleep(sqlite_settings) -> None:
    account = Account("telegram", "1", bot_token="1:x")
    directory = AccountDirectory("telegram", account)
    client = PlatformClient(
        "telegram", directory, api_url="http://127.0.0.1:9/", database_url=None, sleep=sleep
    )
    one = client.context_for(account, tenant_id=1, contact_id=2, recipient="42")
    two = client.context_for(account, tenant_id=1, contact_id=3, recipient="43")
    assert one.client is two.client and one.api_url == "http://127.0.0.1:9"
    assert (one.policy, one.sleep, one.channel) == (PLATFORM_RETRY, sleep, "telegram")
    found = await client.find_account("1", tenant_id=999)  # the env account is the default's
    assert found is None or found.account_id == "1"
    await client.close()
    assert one.client.closed
