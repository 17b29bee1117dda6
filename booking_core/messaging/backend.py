"""The work queues' statements behind one interface, chosen once per database.

PostgreSQL gets hand-written statements run in autocommit (`postgres`: one round trip per
claim, completion or outcome); every other database the SQLAlchemy forms (`portable`). The
choice is made here, once per database URL, instead of by a dialect test in every function.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from booking_core.db.session import resolve_url
from booking_core.messaging.claimer import Claimer, current_claimer
from booking_core.messaging.records import ClaimedJob, InboundMessage, Job, QueuedReply, TenantInfo


@dataclass(frozen=True)
class Look:
    """One look for work: `limit` rows of `channel`, a claim older than `lease` counting as
    abandoned, the `exclude`d rows (already being handled here) passed over. Claims are
    stamped with `claimer`; a released claim, or one of an earlier run of the same claimer id
    (an older token), counts as abandoned at once (booking_core.messaging.claimer)."""

    channel: str
    limit: int
    lease: timedelta
    exclude: frozenset[int] = frozenset()
    claimer: Claimer = field(default_factory=current_claimer)


@dataclass(frozen=True)
class InboundClaim:
    """A claimed inbound row as stored (its payload not read yet, see `inbox.claim_next`)."""

    row_id: int
    previous_claim: datetime | None
    claimed_at: datetime
    contact_id: int
    payload: Any
    tenant: TenantInfo


@dataclass(frozen=True)
class Done:
    """How a claimed inbound message ends: its status and error, and its replies as
    (text, stored outbound payload) in their order."""

    status: str
    error: str | None
    done_at: datetime
    replies: Sequence[tuple[str | None, dict[str, Any]]] = ()


@dataclass(frozen=True)
class Outcome:
    """How a send ended: the row's new status, error (or note) and platform id."""

    status: str
    error: str | None
    platform_message_id: str | None


class QueueBackend(Protocol):
    """The database work of the queues that differs between PostgreSQL and the rest."""

    database_url: str

    def insert_inbound(self, session: Session, tenant: TenantInfo, inbound: InboundMessage,
                       values: dict[str, Any]) -> Job | None:  # fmt: skip
        """Upsert the contact and insert the message (the column `values` of both) in
        `session`'s transaction; None when the platform message id is already stored."""

    def claim_inbound(self, look: Look) -> list[InboundClaim]:
        """Claim the oldest claimable inbound row of up to `look.limit` conversations."""

    def complete_inbound(self, claimed: ClaimedJob, done: Done) -> tuple[bool, bool]:
        """Mark the claimed message done and queue its replies, in one transaction, only if
        the claim is still ours: (done, the conversation's next message is waiting)."""

    def claim_outbound(self, look: Look) -> list[QueuedReply]:
        """Claim the oldest queued (or abandoned "sending") reply of up to `look.limit`
        conversations, marking it "sending"."""

    def finish_outbound(self, row_id: int, outcome: Outcome, contact_id: int | None) -> bool:
        """Record a send's outcome; whether `contact_id` has a later reply queued."""

    def release(self, channel: str, claimer: Claimer) -> int:
        """Mark the unfinished claims `claimer` holds on `channel` (inbound "received",
        outbound "sending") released, free for any process now; how many."""


@functools.cache
def _backend(url: str) -> QueueBackend:
    if make_url(url).get_backend_name() == "postgresql":
        from booking_core.messaging.postgres import PostgresBackend

        return PostgresBackend(url)
    from booking_core.messaging.portable import PortableBackend

    return PortableBackend(url)


def backend_for(database_url: str | None) -> QueueBackend:
    """The backend of `database_url` (None: the configured database), made once per URL."""
    return _backend(resolve_url(database_url))
