"""Which tenant an inbound webhook belongs to: the default tenant's account from the environment
(credentials.yml), further tenants' accounts from the `channel_accounts` table (secrets decrypted
with SECRET_KEYS). Synchronous database I/O; the webhook calls it in a worker thread."""

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
        self._cache: tuple[float, list[Account]] | None = None
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

    def stored_accounts(self) -> list[Account]:
        """Database accounts of this channel (cached); raises on database errors."""
        with self._lock:
            now = self._clock()
            if self._cache is not None and now - self._cache[0] < self.ttl:
                return self._cache[1]
        with session_scope(self.database_url) as session:
            rows = list_channel_accounts(session, channel=self.channel)
            accounts = self._decrypt(rows)
        with self._lock:
            self._cache = (self._clock(), accounts)
        return accounts

    def all_accounts(self) -> list[Account]:
        """The environment account first, then the stored ones with other account ids."""
        accounts = [self.env_account] if self.env_account else []
        taken = {a.account_id for a in accounts}
        accounts += [a for a in self.stored_accounts() if a.account_id not in taken]
        return accounts

    def find_in_memory(self, account_id: str) -> tuple[bool, Account | None]:
        """(True, the account or None) when that is known without reading the database (the
        environment's account, or a fresh cache); (False, None) when `find` must read it. Lets
        the event loop skip a thread hand-off per message."""
        if self.env_account and self.env_account.account_id == account_id:
            return True, self.env_account
        with self._lock:
            now = self._clock()
            if self._cache is None or now - self._cache[0] >= self.ttl:
                return False, None
            stored = self._cache[1]
        return True, next((a for a in stored if a.account_id == account_id), None)

    def find(self, account_id: str) -> Account | None:
        """The account with this platform id (phone_number_id, Instagram id, bot id)."""
        for account in self.all_accounts():
            if account.account_id == account_id:
                return account
        return None

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
