"""The work queues' statements in SQLAlchemy, used on every database but PostgreSQL (SQLite:
the inbound upsert is its ON CONFLICT form, the one other dialect the project supports).

Each statement is built once with bound parameters, so it is compiled once, not per call; rows
are read as plain columns, not ORM objects (a look runs for every message, and loading entities
costs more than the query). Claims are a look followed by a compare-and-set per row. The
PostgreSQL forms (`postgres`) do the same work in fewer round trips; the two are kept in step
by the tests that run both (tests/booking_core/messaging/test_backend.py).
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import bindparam, case, exists, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from booking_core.db.models import Contact, Message, Tenant
from booking_core.db.session import session_scope
from booking_core.db.types import utcnow
from booking_core.messaging.backend import Done, InboundClaim, Look, Outcome
from booking_core.messaging.claimer import RELEASED, Claimer
from booking_core.messaging.records import (
    ClaimedJob,
    InboundMessage,
    Job,
    QueuedReply,
    TenantInfo,
)


@functools.cache
def later_waiting(direction: str) -> Any:
    """Whether a contact has a message of `direction` waiting after a given row (inbound:
    "received", outbound: "queued"), built once per direction."""
    return select(
        exists().where(
            Message.contact_id == bindparam("contact_id"),
            Message.direction == direction,
            Message.status == ("received" if direction == "in" else "queued"),
            Message.id > bindparam("row_id"),
        )
    )


@functools.cache
def _inbound_statements() -> tuple[Any, Any, Any]:
    """The contact upsert, the message insert and the contact's id lookup (SQLAlchemy 1.4
    gives SQLite no RETURNING)."""
    contacts, messages = Contact.__table__, Message.__table__

    def param(table: Any, column: str) -> Any:
        return bindparam(column, type_=table.c[column].type)

    contact_columns = ("tenant_id", "channel", "platform_user_id", "display_name", "locale",
                       "created_at", "last_inbound_at")  # fmt: skip
    upsert = sqlite_insert(contacts).values({c: param(contacts, c) for c in contact_columns})
    new = upsert.excluded
    upsert = upsert.on_conflict_do_update(
        index_elements=["tenant_id", "channel", "platform_user_id"],
        set_={
            "display_name": func.coalesce(new.display_name, contacts.c.display_name),
            "locale": func.coalesce(new.locale, contacts.c.locale),
            "last_inbound_at": case(
                (
                    or_(
                        contacts.c.last_inbound_at.is_(None),
                        contacts.c.last_inbound_at < new.last_inbound_at,
                    ),
                    new.last_inbound_at,
                ),
                else_=contacts.c.last_inbound_at,
            ),
        },
    )
    message_columns = ("tenant_id", "contact_id", "channel", "direction", "text", "payload",
                       "platform_message_id", "status", "sent_at", "created_at")  # fmt: skip
    stored = sqlite_insert(messages).values({c: param(messages, c) for c in message_columns})
    stored = stored.on_conflict_do_nothing(
        index_elements=["tenant_id", "channel", "platform_message_id"]
    )
    lookup = select(contacts.c.id).where(
        contacts.c.tenant_id == bindparam("tenant_id"),
        contacts.c.channel == bindparam("channel"),
        contacts.c.platform_user_id == bindparam("platform_user_id"),
    )
    return upsert, stored, lookup


@functools.cache
def _candidates(direction: str) -> Any:
    """The look for work of the inbox ("in") or the outbox ("out").

    Only the head of each conversation's queue is eligible (no earlier row of the same contact
    and direction still waiting): a conversation is handled, and answered, one at a time, in
    order. A row claimed before `stale_before`, released, or held by an earlier run of this
    claimer id (same id, older token: booking_core.messaging.claimer) belongs to no running
    process.
    """
    messages = Message.__table__
    tenants = Tenant.__table__
    row = messages.c
    prefix = bindparam("claimer_prefix")
    stale = or_(
        row.claimed_at < bindparam("stale_before", type_=row.claimed_at.type),
        row.claimed_by == RELEASED,
        (func.substr(row.claimed_by, 1, func.length(prefix)) == prefix)
        & (row.claimed_by < bindparam("claimer")),  # an earlier run: an older token
    )
    if direction == "in":
        waiting: tuple[str, ...] = ("received",)
        claimable = (row.status == "received") & or_(row.claimed_at.is_(None), stale)
        query = select(
            row.id, row.status, row.claimed_at, row.claimed_by, row.contact_id, row.payload,
            tenants.c.id.label("tenant_id"), tenants.c.slug, tenants.c.timezone,
            tenants.c.locale,
        ).join_from(messages, tenants, tenants.c.id == row.tenant_id)  # fmt: skip
    else:
        waiting = ("queued", "sending")
        claimable = (row.status == "queued") | ((row.status == "sending") & stale)
        query = select(row.id, row.status, row.claimed_at, row.claimed_by, row.tenant_id,
                       row.contact_id, row.channel, row.payload)  # fmt: skip
    earlier = messages.alias("earlier")
    blocked = exists().where(
        earlier.c.contact_id == row.contact_id,
        earlier.c.direction == direction,
        earlier.c.status.in_(waiting),
        earlier.c.id < row.id,
    )
    return (
        query.where(
            row.direction == direction,
            row.channel == bindparam("channel"),
            claimable,
            ~blocked,
            row.id.notin_(bindparam("exclude", expanding=True)),
        )
        .order_by(row.id)
        .limit(bindparam("limit"))
    )


@functools.cache
def _claim_statement() -> Any:
    """Compare-and-set: the row is taken only if its status and claim (time and claimer) are
    still what was read, so two processes never both take it."""
    claimed_at: Any = Message.claimed_at
    claimed_by: Any = Message.claimed_by
    stamp = Message.__table__.c.claimed_at.type
    return (
        update(Message)
        .where(
            Message.id == bindparam("row_id"),
            Message.status == bindparam("read_status"),
            claimed_at.is_not_distinct_from(bindparam("read_claim", type_=stamp)),
            claimed_by.is_not_distinct_from(bindparam("read_by")),
        )
        .values(
            claimed_at=bindparam("claim_time", type_=stamp),
            claimed_by=bindparam("claimer_stamp"),
            status=bindparam("new_status"),
        )
        .execution_options(synchronize_session=False)
    )


@functools.cache
def _complete_statement() -> Any:
    """Marking a claimed message done, only if the claim is still ours."""
    claimed_at: Any = Message.claimed_at
    return (
        update(Message)
        .where(
            Message.id == bindparam("row_id"),
            Message.status == "received",
            claimed_at == bindparam("our_claim", type_=Message.__table__.c.claimed_at.type),
        )
        .values(
            status=bindparam("new_status"),
            error=bindparam("new_error"),
            processed_at=bindparam("done_at", type_=Message.__table__.c.processed_at.type),
        )
        .execution_options(synchronize_session=False)
    )


@functools.cache
def _release_statement() -> Any:
    """A stopping process's unfinished claims marked released (`claimed_at` kept: the next
    claimer sees it as the previous claim)."""
    row = Message.__table__.c
    unfinished = ((row.direction == "in") & (row.status == "received")) | (
        (row.direction == "out") & (row.status == "sending")
    )
    return (
        update(Message.__table__)
        .where(
            row.channel == bindparam("of_channel"),
            row.claimed_by == bindparam("claimer_stamp"),
            unfinished,
        )
        .values(claimed_by=RELEASED)
    )


@functools.cache
def _finish_statement() -> Any:
    """The send's outcome in one statement. Receipts only move a status forward (sent ->
    delivered -> read), so a row a receipt already moved on keeps its status."""
    status: Any = Message.status
    return (
        update(Message)
        .where(Message.id == bindparam("row_id"), status.not_in(("delivered", "read")))
        .values(
            status=bindparam("new_status"),
            error=bindparam("new_error"),
            platform_message_id=func.coalesce(
                bindparam("new_platform_id", type_=Message.__table__.c.platform_message_id.type),
                Message.platform_message_id,
            ),
        )
        .execution_options(synchronize_session=False)
    )


class PortableBackend:
    """`QueueBackend` in SQLAlchemy, in ORM sessions."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def __repr__(self) -> str:
        return "PortableBackend()"

    def insert_inbound(
        self, session: Session, tenant: TenantInfo, inbound: InboundMessage, values: dict[str, Any]
    ) -> Job | None:
        """Upsert and insert with `values` (see `store._row_values`)."""
        upsert, stored, lookup = _inbound_statements()
        session.execute(upsert, values)
        contact_id = session.execute(lookup, values).scalar_one()
        message = {**values, "contact_id": contact_id, "direction": "in", "status": "received"}
        result = session.execute(stored, message)
        if result.rowcount != 1:
            return None
        return Job(int(result.lastrowid), tenant, int(contact_id), inbound)

    def _look(self, session: Session, direction: str, look: Look) -> list[Any]:
        params = {
            "channel": look.channel,
            "stale_before": utcnow() - look.lease,
            "exclude": sorted(look.exclude),
            "limit": look.limit,
            "claimer": look.claimer.stamp,
            "claimer_prefix": look.claimer.prefix,
        }
        return list(session.execute(_candidates(direction), params).all())

    def _take(self, session: Session, row: Any, new_status: str, look: Look) -> Any:
        """Claim `row` (see `_claim_statement`), setting its status; the claim time or None."""
        now = utcnow()
        taken = session.execute(_claim_statement(), {
            "row_id": row.id, "read_status": row.status, "read_claim": row.claimed_at,
            "read_by": row.claimed_by, "claim_time": now, "claimer_stamp": look.claimer.stamp,
            "new_status": new_status,
        })  # fmt: skip
        return now if taken.rowcount == 1 else None

    def claim_inbound(self, look: Look) -> list[InboundClaim]:
        claimed: list[InboundClaim] = []
        with session_scope(self.database_url) as session:
            for row in self._look(session, "in", look):
                claimed_at = self._take(session, row, "received", look)
                if claimed_at is not None:
                    tenant = TenantInfo(row.tenant_id, row.slug, row.timezone, row.locale)
                    claimed.append(InboundClaim(row.id, row.claimed_at, claimed_at,
                                                row.contact_id, row.payload, tenant))  # fmt: skip
        return claimed

    def complete_inbound(self, claimed: ClaimedJob, done: Done) -> tuple[bool, bool]:
        job = claimed.job
        with session_scope(self.database_url) as session:
            marked = session.execute(_complete_statement(), {
                "row_id": job.message_id, "our_claim": claimed.claimed_at,
                "new_status": done.status, "new_error": done.error, "done_at": done.done_at,
            })  # fmt: skip
            if marked.rowcount != 1:
                return False, False
            rows = [
                {"tenant_id": job.tenant.id, "contact_id": job.contact_id,
                 "channel": job.inbound.channel, "direction": "out", "text": text,
                 "payload": payload, "status": "queued", "created_at": done.done_at}
                for text, payload in done.replies
            ]  # fmt: skip
            if rows:
                session.execute(Message.__table__.insert(), rows)
            waiting = session.execute(
                later_waiting("in"), {"contact_id": job.contact_id, "row_id": job.message_id}
            ).scalar_one()
        return True, bool(waiting)

    def claim_outbound(self, look: Look) -> list[QueuedReply]:
        claimed: list[QueuedReply] = []
        with session_scope(self.database_url) as session:
            for row in self._look(session, "out", look):
                abandoned = row.status == "sending"
                if self._take(session, row, "sending", look) is None:
                    continue
                claimed.append(
                    QueuedReply(
                        row.id,
                        row.tenant_id,
                        row.contact_id,
                        row.channel,
                        dict(row.payload or {}),
                        abandoned=abandoned,
                    )
                )
        return claimed

    def finish_outbound(self, row_id: int, outcome: Outcome, contact_id: int | None) -> bool:
        with session_scope(self.database_url) as session:
            # Its own parameters: an UPDATE would also set any column a parameter is named after.
            session.execute(_finish_statement(), {
                "row_id": row_id, "new_status": outcome.status, "new_error": outcome.error,
                "new_platform_id": outcome.platform_message_id,
            })  # fmt: skip
            if contact_id is None:
                return False
            later = {"contact_id": contact_id, "row_id": row_id}
            return bool(session.execute(later_waiting("out"), later).scalar_one())

    def release(self, channel: str, claimer: Claimer) -> int:
        with session_scope(self.database_url) as session:
            params = {"of_channel": channel, "claimer_stamp": claimer.stamp}
            result = session.execute(_release_statement(), params)
            return int(result.rowcount)
