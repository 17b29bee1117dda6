"""Admin-API key crud: keys are random 256-bit strings, stored only as their SHA-256.

`get_api_key_by_secret` is the one lookup without a tenant: the key itself is what tells the
tenant (it is how a request authenticates). Every other function is scoped by `tenant_id`.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking_core.crypto import lookup_hash
from booking_core.db.models import ApiKey
from booking_core.db.types import utcnow

#: Keys look like `bk_<43 url-safe characters>`; the prefix makes leaked keys easy to grep for.
KEY_PREFIX = "bk_"
#: How many leading characters are kept in clear to tell keys apart in listings.
SHOWN_PREFIX_LENGTH = 10


def new_api_key() -> str:
    """A new random key (256 bits of entropy)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_api_key(session: Session, *, tenant_id: int, name: str) -> tuple[ApiKey, str]:
    """Store a new key for the tenant; returns the row and the plaintext key (shown once)."""
    name = name.strip()
    if not name:
        raise ValueError("name must not be empty")
    key = new_api_key()
    row = ApiKey(
        tenant_id=tenant_id,
        name=name[:100],
        prefix=key[:SHOWN_PREFIX_LENGTH],
        key_hash=lookup_hash(key),
    )
    session.add(row)
    session.flush()
    return row, key


def get_api_key_by_secret(session: Session, *, secret: str) -> ApiKey | None:
    """The active (not revoked) key whose hash matches `secret`, or None."""
    if not secret:
        return None
    row = session.execute(
        select(ApiKey).where(ApiKey.key_hash == lookup_hash(secret))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return row


def list_api_keys(session: Session, *, tenant_id: int) -> list[ApiKey]:
    """The tenant's keys (revoked ones included), oldest first."""
    return list(
        session.execute(
            select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.id)
        ).scalars()
    )


def get_api_key(session: Session, *, tenant_id: int, key_id: int) -> ApiKey | None:
    """The tenant's key with this id, or None."""
    return session.execute(
        select(ApiKey).where(ApiKey.tenant_id == tenant_id, ApiKey.id == key_id)
    ).scalar_one_or_none()


def revoke_api_key(session: Session, *, tenant_id: int, key_id: int) -> ApiKey | None:
    """Revoke the tenant's key (idempotent); None when the tenant has no such key."""
    row = get_api_key(session, tenant_id=tenant_id, key_id=key_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row
