"""How to talk to one conversation (who, from which account, over what HTTP client and retry
policy) and the per-channel client that builds it; Rasa-free, so the platform API modules, the
handler and the outbox sender never load Rasa."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from booking_core.retry_policy import PLATFORM_RETRY, RetryPolicy
from connectors.accounts import Account, AccountDirectory
from connectors.retry import new_session

Sleep = Callable[[float], Awaitable[Any]]


@dataclass
class SendContext:
    """Everything needed to answer one conversation: who, from which account, over what.
    `sleep` waits between retries (tests inject one that does not really sleep)."""

    client: aiohttp.ClientSession
    account: Account
    api_url: str
    database_url: str | None
    tenant_id: int
    contact_id: int
    recipient: str
    channel: str
    policy: RetryPolicy = PLATFORM_RETRY
    sleep: Sleep = field(default=asyncio.sleep)


class PlatformClient:
    """One channel's way out: its accounts, one pooled HTTP session (created in the server's
    event loop), the API address, the retry policy; builds the SendContext of a conversation."""

    def __init__(
        self,
        channel: str,
        directory: AccountDirectory,
        *,
        api_url: str,
        database_url: str | None,
        policy: RetryPolicy = PLATFORM_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.channel = channel
        self.directory = directory
        self.api_url = api_url.rstrip("/")
        self.database_url = database_url
        self.policy = policy
        self.sleep = sleep
        self._client: aiohttp.ClientSession | None = None

    def http_client(self) -> aiohttp.ClientSession:
        """The pooled session (created on first use, in the running loop)."""
        if self._client is None or self._client.closed:
            self._client = new_session(self.policy)
        return self._client

    def context_for(
        self, account: Account, *, tenant_id: int, contact_id: int, recipient: str
    ) -> SendContext:
        """How to talk to one conversation."""
        return SendContext(
            client=self.http_client(),
            account=account,
            api_url=self.api_url,
            database_url=self.database_url,
            tenant_id=tenant_id,
            contact_id=contact_id,
            recipient=recipient,
            channel=self.channel,
            policy=self.policy,
            sleep=self.sleep,
        )

    async def find_account(self, account_id: str, tenant_id: int) -> Account | None:
        """Tenant `tenant_id`'s account with this platform id (never another tenant's, whose
        token must not answer this tenant's messages), from memory when possible."""
        known, account = self.directory.find_in_memory(account_id, tenant_id)
        if known:
            return account
        return await asyncio.to_thread(self.directory.find, account_id, tenant_id)

    async def close(self) -> None:
        """Close the HTTP session (at shutdown)."""
        if self._client is not None:
            await self._client.close()
            self._client = None
