"""Which tenant an inbound webhook belongs to: the default tenant's account from the environment
(credentials.yml), further tenants' accounts from the `channel_accounts` table (secrets decrypted
with SECRET_KEYS). Synchronous database I/O; the webhook calls it in a worker thread.

Sending looks an account up by (tenant, platform id), never by platform id alone: a stored
account may carry the same platform id as the environment's (the table's unique key cannot see
the environment), and a message must never be answered with another tenant's token.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from booking_core.crypto import SecretBox, SecretKeyError
from booking_core.db.models import ChannelAccount
from booking_core.db.repository.channel_accounts import (
    decrypt_channel_secrets,
    get_channel_account_by_secret,
    list_channel_accounts,
)
from booking_core.db.repository.tenants import ensure_default_tenant
from booking_core.db.session import session_scope
from connectors.signatures import tokens_equal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Account:
    """One platform account and its secrets; `tenant_id` None means the default tenant."""

    channel: str
    account_id: str
    access_token: str | None = None
    app_secret: str | None = None
    verify_token: str | None = None
    bot_token: str | None = None
    webhook_secret: str | None = None
    tenant_id: int | None = None

    def __repr__(self) -> str:  # never print secrets into logs
        return f"Account({self.channel}:{self.account_id}, tenant_id={self.tenant_id})"


def account_from_row(row: ChannelAccount, box: SecretBox) -> Account:
    """Decrypt a stored account."""
    secrets = decrypt_channel_secrets(row, box=box)
    return Account(
        channel=row.channel,
        account_id=row.account_id,
        access_token=secrets.access_token,
        app_secret=secrets.app_secret,
        verify_token=secrets.verify_token,
        bot_token=secrets.bot_token,
        webhook_secret=secrets.webhook_secret,
        tenant_id=row.tenant_id,
    )


@dataclass(frozen=True)
class _Snapshot:
    """Database accounts read at `at`, with the default tenant's id (None: no environment
    account, so nothing belongs to the default tenant through it)."""

    at: float
    accounts: list[Account]
    default_tenant_id: int | None


class AccountDirectory:
    """Finds accounts of one channel; database accounts are cached for `ttl` seconds."""

    def __init__(
        self,
        channel: str,
        env_account: Account | None,
        *,
        database_url: str | None = None,
        ttl: float = 10.0,
        box_factory: Callable[[], SecretBox] = SecretBox.from_env,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.channel = channel
        self.env_account = replace(env_account, tenant_id=None) if env_account else None
        self.database_url = database_url
        self.ttl = ttl
        self._box_factory = box_factory
        self._clock = clock
        self._cache: _Snapshot | None = None
        self._lock = threading.Lock()
        self._warned = False

    def _box(self) -> SecretBox | None:
        try:
            return self._box_factory()
        except SecretKeyError as exc:
            if not self._warned:
                logger.error("%s accounts in the database are ignored: %s", self.channel, exc)
                self._warned = True
            return None

    def _decrypt(self, rows: list[ChannelAccount]) -> list[Account]:
        if not rows:
            return []
        box = self._box()
        if box is None:
            return []
        accounts = []
        for row in rows:
            try:
                accounts.append(account_from_row(row, box))
            except SecretKeyError as exc:
                logger.error("%s account %s skipped: %s", self.channel, row.account_id, exc)
        return accounts

    def _snapshot(self) -> _Snapshot:
        """The cached snapshot, read again when older than `ttl`; raises on database errors."""
        with self._lock:
            cache = self._cache
            if cache is not None and self._clock() - cache.at < self.ttl:
                return cache
        with session_scope(self.database_url) as session:
            rows = list_channel_accounts(session, channel=self.channel)
            accounts = self._decrypt(rows)
            # The environment account is the default tenant's (the tenant its messages are
            # stored under, see connectors.store): its id tells whose messages it may answer.
            default_id = ensure_default_tenant(session).id if self.env_account else None
        snapshot = _Snapshot(self._clock(), accounts, default_id)
        with self._lock:
            self._cache = snapshot
        return snapshot

    def stored_accounts(self) -> list[Account]:
        """Database accounts of this channel (cached); raises on database errors."""
        return self._snapshot().accounts

    def all_accounts(self) -> list[Account]:
        """The environment account first, then the stored ones with other account ids (the
        accounts a webhook may be authenticated as)."""
        accounts = [self.env_account] if self.env_account else []
        taken = {a.account_id for a in accounts}
        accounts += [a for a in self.stored_accounts() if a.account_id not in taken]
        return accounts

    def _owned(self, snapshot: _Snapshot, account_id: str, tenant_id: int) -> Account | None:
        env = self.env_account
        if env and env.account_id == account_id and snapshot.default_tenant_id == tenant_id:
            return env
        return next(
            (a for a in snapshot.accounts
             if a.account_id == account_id and a.tenant_id == tenant_id),
            None,
        )  # fmt: skip

    def find_in_memory(self, account_id: str, tenant_id: int) -> tuple[bool, Account | None]:
        """(True, the account or None) when a fresh cache knows the answer; (False, None) when
        `find` must read the database. Lets the event loop skip a thread hand-off per message."""
        with self._lock:
            cache = self._cache
            if cache is None or self._clock() - cache.at >= self.ttl:
                return False, None
        return True, self._owned(cache, account_id, tenant_id)

    def find(self, account_id: str, tenant_id: int) -> Account | None:
        """Tenant `tenant_id`'s account with this platform id (phone_number_id, Instagram id,
        bot id); None when that tenant has none, even if another tenant's account has the id."""
        return self._owned(self._snapshot(), account_id, tenant_id)

    def find_by_secret(self, secret: str | None) -> Account | None:
        """The account whose webhook secret is `secret` (Telegram routes by it)."""
        if not secret:
            return None
        if self.env_account and tokens_equal(secret, self.env_account.webhook_secret):
            return self.env_account
        with session_scope(self.database_url) as session:
            row = get_channel_account_by_secret(session, channel=self.channel, secret=secret)
            if row is None:
                return None
            accounts = self._decrypt([row])
        if accounts and tokens_equal(secret, accounts[0].webhook_secret):
            return accounts[0]
        return None

    def clear_cache(self) -> None:
        """Forget cached database accounts (after adding one, in tests)."""
        with self._lock:
            self._cache = None
