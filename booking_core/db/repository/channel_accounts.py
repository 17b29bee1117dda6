"""Channel account crud: a tenant's WhatsApp numbers, Instagram accounts and Telegram bots.

Secrets go in and come out as plaintext `ChannelSecrets`; they are stored as Fernet tokens
encrypted with the caller's `SecretBox` (keys from SECRET_KEYS), so rows never hold plaintext.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking_core.crypto import SecretBox, lookup_hash
from booking_core.db.models import ACCOUNT_CHANNELS, ChannelAccount


@dataclass(frozen=True)
class ChannelSecrets:
    """The plaintext secrets of one account; which ones are needed depends on the channel."""

    access_token: str | None = None
    app_secret: str | None = None
    verify_token: str | None = None
    bot_token: str | None = None
    webhook_secret: str | None = None


def _check_account_channel(channel: str) -> None:
    if channel not in ACCOUNT_CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(ACCOUNT_CHANNELS)}, got {channel!r}")


def _store_secrets(account: ChannelAccount, secrets: ChannelSecrets, box: SecretBox) -> None:
    for field in fields(ChannelSecrets):
        value = getattr(secrets, field.name)
        setattr(account, f"{field.name}_enc", box.encrypt(value) if value else None)
    account.lookup_hash = lookup_hash(secrets.webhook_secret) if secrets.webhook_secret else None


def create_channel_account(
    session: Session,
    *,
    tenant_id: int,
    channel: str,
    account_id: str,
    secrets: ChannelSecrets,
    box: SecretBox,
) -> ChannelAccount:
    """Insert an account; a second one with the same (channel, account_id) raises IntegrityError.

    The insert runs in a savepoint so a conflict leaves the caller's transaction usable.
    """
    _check_account_channel(channel)
    if not account_id:
        raise ValueError("account_id must not be empty")
    account = ChannelAccount(tenant_id=tenant_id, channel=channel, account_id=account_id)
    _store_secrets(account, secrets, box)
    with session.begin_nested():
        session.add(account)
    return account


def update_channel_account_secrets(
    session: Session, *, account: ChannelAccount, secrets: ChannelSecrets, box: SecretBox
) -> ChannelAccount:
    """Replace all secrets of an account (unset fields are cleared)."""
    _store_secrets(account, secrets, box)
    session.flush()
    return account


def get_channel_account(
    session: Session, *, channel: str, account_id: str
) -> ChannelAccount | None:
    """The account a webhook for this platform account id belongs to, or None."""
    return session.execute(
        select(ChannelAccount).where(
            ChannelAccount.channel == channel, ChannelAccount.account_id == account_id
        )
    ).scalar_one_or_none()


def get_channel_account_by_secret(
    session: Session, *, channel: str, secret: str
) -> ChannelAccount | None:
    """The account whose webhook secret is `secret` (found by its hash), or None."""
    return session.execute(
        select(ChannelAccount).where(
            ChannelAccount.channel == channel, ChannelAccount.lookup_hash == lookup_hash(secret)
        )
    ).scalar_one_or_none()


def list_channel_accounts(
    session: Session, *, channel: str | None = None, tenant_id: int | None = None
) -> list[ChannelAccount]:
    """Accounts, optionally of one channel and/or one tenant, in creation order."""
    query = select(ChannelAccount)
    if channel is not None:
        query = query.where(ChannelAccount.channel == channel)
    if tenant_id is not None:
        query = query.where(ChannelAccount.tenant_id == tenant_id)
    return list(session.execute(query.order_by(ChannelAccount.id)).scalars())


def delete_channel_account(session: Session, *, channel: str, account_id: str) -> bool:
    """Remove an account (its webhooks then answer 'unknown account'); False when absent."""
    account = get_channel_account(session, channel=channel, account_id=account_id)
    if account is None:
        return False
    session.delete(account)
    session.flush()
    return True


def decrypt_channel_secrets(account: ChannelAccount, *, box: SecretBox) -> ChannelSecrets:
    """The plaintext secrets of a stored account."""
    values: dict[str, str | None] = {}
    for field in fields(ChannelSecrets):
        token = getattr(account, f"{field.name}_enc")
        values[field.name] = box.decrypt(token) if token else None
    return ChannelSecrets(**values)
