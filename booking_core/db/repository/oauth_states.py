"""Single-use OAuth states (the Google connect flow): issue one per connect, spend it once.

A table rather than one pending nonce on the tenant row: spending is one UPDATE on a unique
column that touches no tenant row (which every process reads and the calendar provider writes),
and a used row stays (until it expires or the tenant connects again), so a replay is answered
"already used". Rows are bounded: at most one per tenant, and each connect deletes every expired
one. The nonce is stored as its SHA-256 only, like API keys: the signed state cannot be rebuilt
from the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from booking_core.crypto import lookup_hash
from booking_core.db.models import OAuthState, Tenant
from booking_core.db.types import require_aware, utcnow

#: What `consume_oauth_state` found: the state is now spent by this call ("accepted"), was spent
#: before ("already_used"), is past its expiry ("expired"), or was never issued, superseded by a
#: newer connect of the tenant or pruned ("unknown").
StateOutcome = Literal["accepted", "already_used", "expired", "unknown"]

_STATE = OAuthState.__table__.c


def issue_oauth_state(
    session: Session,
    *,
    tenant_id: int,
    nonce: str,
    expires_at: datetime,
    now: datetime | None = None,
) -> OAuthState:
    """Record a new state of the tenant; its earlier states stop working, expired rows go.

    The tenant row is locked first (PostgreSQL), so two concurrent connects of one tenant
    leave one valid state, not two.
    """
    when = require_aware(now, "now") if now else utcnow()
    if not nonce:
        raise ValueError("nonce must not be empty")
    session.execute(select(Tenant.id).where(Tenant.id == tenant_id).with_for_update())
    session.execute(
        delete(OAuthState)
        .where(or_(OAuthState.tenant_id == tenant_id, OAuthState.expires_at <= when))
        .execution_options(synchronize_session=False)
    )
    row = OAuthState(
        tenant_id=tenant_id,
        nonce_hash=lookup_hash(nonce),
        expires_at=require_aware(expires_at, "expires_at"),
    )
    session.add(row)
    session.flush()
    return row


def consume_oauth_state(
    session: Session, *, tenant_id: int, nonce: str, now: datetime | None = None
) -> StateOutcome:
    """Spend the tenant's state with this nonce; "accepted" for exactly one caller.

    One conditional UPDATE decides: on PostgreSQL a concurrent second UPDATE waits for the
    first's row lock and then finds `used_at` set; SQLite runs writers one at a time.
    """
    when = require_aware(now, "now") if now else utcnow()
    nonce_hash = lookup_hash(nonce)
    mine = (OAuthState.nonce_hash == nonce_hash, OAuthState.tenant_id == tenant_id)
    spent = session.execute(
        update(OAuthState)
        .where(*mine, _STATE.used_at.is_(None), OAuthState.expires_at > when)
        .values(used_at=when)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent == 1:
        return "accepted"
    row = session.execute(select(OAuthState.used_at, OAuthState.expires_at).where(*mine)).first()
    if row is None:
        return "unknown"
    return "already_used" if row.used_at is not None else "expired"
