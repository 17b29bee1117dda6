"""The connectors' database I/O (synchronous; callers run it in a worker thread).

Inbound messages are stored before the webhook answers, with the atomic de-duplicating insert of
`record_message`, together with everything needed to process them again after a restart.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import bindparam, case, exists, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.db import direct
from booking_core.db.models import Contact, Message, Tenant
from booking_core.db.repository import (
    ensure_default_tenant,
    get_message_by_platform_id,
    get_tenant,
    mark_message,
)
from booking_core.db.repository.contacts import check_channel
from booking_core.db.repository.messages import (
    INBOX_NOTIFY_CHANNEL,
    OUTBOX_NOTIFY_CHANNEL,
    notify_queue,
)
from booking_core.db.session import get_engine, resolve_url, session_scope
from booking_core.db.types import require_aware, utcnow
from connectors.accounts import Account
from connectors.inbound import InboundMessage, StatusUpdate
from connectors.outgoing import Outgoing

logger = logging.getLogger(__name__)

#: Receipt statuses the messages table knows; anything else a platform reports is ignored.
RECEIPT_STATUSES = ("sent", "delivered", "read", "failed")
#: What a row a dead sender left in "sending" says in the history (it is not sent again).
UNKNOWN_SEND_OUTCOME = "outcome unknown: the process stopped while sending"


@dataclass(frozen=True)
class TenantInfo:
    """What processing needs to know about the tenant (copied out of the session)."""

    id: int
    slug: str
    timezone: str
    locale: str


@dataclass(frozen=True)
class Job:
    """A stored inbound message waiting to be processed."""

    message_id: int
    tenant: TenantInfo
    contact_id: int
    inbound: InboundMessage


@dataclass(frozen=True)
class ClaimedJob:
    """A stored message this process has just claimed (at `claimed_at`).

    `previous_claim` is set when the message had been claimed by a process that then died (its
    lease ran out). Nothing it said went out: replies are queued in the same transaction that
    completes the message (`complete_inbound`), so the message is simply handled again.
    """

    job: Job
    previous_claim: datetime | None
    claimed_at: datetime


@dataclass(frozen=True)
class Completion:
    """What `complete_inbound` did: `done` is False when the claim was lost (nothing written);
    `next_waiting` says the same conversation has a later message waiting, which only now
    became claimable (a conversation's messages are handled one at a time). Truthy when done."""

    done: bool
    next_waiting: bool = False

    def __bool__(self) -> bool:
        return self.done


@dataclass(frozen=True)
class QueuedReply:
    """An outbound row the sender has just claimed; `payload` holds the platform request."""

    row_id: int
    tenant_id: int
    contact_id: int
    channel: str
    payload: dict[str, Any]
    #: Set when a sender died while sending it: the outcome is unknown.
    abandoned: bool


class UnknownTenantError(LookupError):
    """A stored account points at a tenant that no longer exists."""


def _tenant(session: Session, account: Account) -> Tenant:
    if account.tenant_id is None:
        return ensure_default_tenant(session)
    tenant = get_tenant(session, tenant_id=account.tenant_id)
    if tenant is None:
        raise UnknownTenantError(f"tenant {account.tenant_id} of {account!r} does not exist")
    return tenant


def _info(tenant: Tenant) -> TenantInfo:
    return TenantInfo(tenant.id, tenant.slug, tenant.timezone, tenant.locale)


#: Tenants by (database, tenant id) for a short while: the webhook must not look the tenant up
#: for every delivery (it is the busiest path of the ingest process).
_TENANT_TTL_SECONDS = 10.0
_tenants: dict[tuple[str, int | None], tuple[float, TenantInfo]] = {}


def _tenant_info(database_url: str | None, account: Account) -> TenantInfo:
    key = (resolve_url(database_url), account.tenant_id)
    cached = _tenants.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < _TENANT_TTL_SECONDS:
        return cached[1]
    with session_scope(database_url) as session:
        info = _info(_tenant(session, account))
    _tenants[key] = (now, info)
    return info


def warm_tenant(database_url: str | None, account: Account) -> None:
    """Look the account's tenant up now, so the first delivery finds it cached."""
    _tenant_info(database_url, account)


def _checked(account: Account, inbound: InboundMessage) -> InboundMessage:
    """The message as it is stored: stamped with its account, channel and sender validated."""
    inbound = replace(inbound, account_id=account.account_id)
    check_channel(inbound.channel)
    if not inbound.platform_user_id:
        raise ValueError("platform_user_id must not be empty")
    return inbound


def persist_inbound(
    database_url: str | None, account: Account, inbound: InboundMessage
) -> Job | None:
    """Store the contact and the message; None when this platform message id is already stored.

    Two upserts in one transaction (INSERT ... ON CONFLICT on the unique keys): concurrent
    deliveries of the same message, in any process, store it once, and a new contact met by two
    processes at once is created once. Kept to a few statements because the webhook waits for it.
    """
    inbound = _checked(account, inbound)
    try:
        return _store_inbound(database_url, _tenant_info(database_url, account), inbound)
    except IntegrityError:
        # The cached tenant was deleted (or recreated) meanwhile: look it up again, once.
        _tenants.pop((resolve_url(database_url), account.tenant_id), None)
        return _store_inbound(database_url, _tenant_info(database_url, account), inbound)


def persist_inbound_many(
    database_url: str | None, items: Sequence[tuple[Account, InboundMessage]]
) -> list[Job | Exception | None]:
    """`persist_inbound` for several deliveries in ONE transaction (group commit).

    The ingest process's cost per delivery is mostly the transaction (round trips, the commit's
    flush to disk), so the webhook writes what concurrent POSTs bring together. The result, in
    the order of `items`, is each item's Job, None (already stored) or the exception that item
    met. Rows are written in key order, so two processes' batches cannot deadlock; if the shared
    transaction fails, every item is tried again alone, so one bad item cannot fail the others.
    """
    results: list[Job | Exception | None] = [None] * len(items)
    ready: list[tuple[int, TenantInfo, InboundMessage]] = []
    for index, (account, inbound) in enumerate(items):
        try:
            checked = _checked(account, inbound)
            ready.append((index, _tenant_info(database_url, account), checked))
        except Exception as exc:  # reported to that delivery's POST alone
            results[index] = exc
    ready.sort(key=lambda r: (r[1].id, r[2].channel, r[2].platform_user_id,
                              r[2].platform_message_id or ""))  # fmt: skip
    try:
        with session_scope(database_url) as session:
            stored: dict[int, Job | None] = {}
            for index, tenant, inbound in ready:
                stored[index] = _insert_inbound(session, tenant, inbound)
            for channel in sorted({job.inbound.channel for job in stored.values() if job}):
                notify_queue(session, name=INBOX_NOTIFY_CHANNEL, channel=channel)
        for index, job in stored.items():
            results[index] = job
    except Exception:
        if len(ready) > 1:
            logger.warning("group commit of %d deliveries failed; storing them one by one",
                           len(ready), exc_info=True)  # fmt: skip
        for index, _, _ in ready:
            account, inbound = items[index]
            results[index] = _alone(database_url, account, inbound)
    return results


def _alone(
    database_url: str | None, account: Account, inbound: InboundMessage
) -> Job | Exception | None:
    try:
        return persist_inbound(database_url, account, inbound)
    except Exception as exc:
        return exc


def _store_inbound(
    database_url: str | None, tenant: TenantInfo, inbound: InboundMessage
) -> Job | None:
    with session_scope(database_url) as session:
        job = _insert_inbound(session, tenant, inbound)
        if job is not None:
            notify_queue(session, name=INBOX_NOTIFY_CHANNEL, channel=inbound.channel)
        return job


@functools.cache
def _inbound_statements() -> tuple[Any, Any, Any]:
    """SQLite: the contact upsert, the message insert and the contact's id lookup (SQLAlchemy
    1.4 gives SQLite no RETURNING), built once with bound parameters."""
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


#: PostgreSQL: the contact upsert and the message insert as ONE statement (one round trip per
#: delivery), written out because SQLAlchemy 1.4 cannot cache the compiled form of its
#: ON CONFLICT constructs: building and compiling them cost more than the database work.
#: No row comes back when the message was already stored. Mirrors the SQLAlchemy path below.
_PG_STORE_INBOUND = """
WITH contact AS (
    INSERT INTO contacts (tenant_id, channel, platform_user_id, display_name, locale,
                          created_at, last_inbound_at)
    VALUES (%(tenant_id)s, %(channel)s, %(platform_user_id)s, %(display_name)s, %(locale)s,
            %(created_at)s, %(last_inbound_at)s)
    ON CONFLICT (tenant_id, channel, platform_user_id) DO UPDATE SET
        display_name = COALESCE(excluded.display_name, contacts.display_name),
        locale = COALESCE(excluded.locale, contacts.locale),
        last_inbound_at = CASE
            WHEN contacts.last_inbound_at IS NULL
                 OR contacts.last_inbound_at < excluded.last_inbound_at
            THEN excluded.last_inbound_at ELSE contacts.last_inbound_at END
    RETURNING id
)
INSERT INTO messages (tenant_id, contact_id, channel, direction, text, payload,
                      platform_message_id, status, sent_at, created_at)
SELECT %(tenant_id)s, contact.id, %(channel)s, 'in', %(text)s, %(payload)s,
       %(platform_message_id)s, 'received', %(sent_at)s, %(created_at)s
FROM contact
ON CONFLICT (tenant_id, channel, platform_message_id) DO NOTHING
RETURNING id, contact_id
"""


def _insert_inbound(session: Session, tenant: TenantInfo, inbound: InboundMessage) -> Job | None:
    """The contact upsert and the message insert inside the caller's transaction."""
    now = utcnow()
    sent_at = require_aware(inbound.sent_at, "sent_at") if inbound.sent_at else None
    values = {
        "tenant_id": tenant.id,
        "channel": inbound.channel,
        "platform_user_id": inbound.platform_user_id,
        "display_name": inbound.display_name,
        "locale": (inbound.language or None) and inbound.language[:16],
        "created_at": now,
        "last_inbound_at": sent_at or now,
        "text": inbound.text,
        "payload": {"inbound": inbound.to_dict()},
        "platform_message_id": inbound.platform_message_id or None,
        "sent_at": sent_at,
    }
    if session.get_bind().dialect.name == "postgresql":
        values["payload"] = json.dumps(values["payload"])
        row = session.connection().exec_driver_sql(_PG_STORE_INBOUND, values).first()
        if row is None:
            return None
        return Job(int(row[0]), tenant, int(row[1]), inbound)
    upsert, stored, lookup = _inbound_statements()
    session.execute(upsert, values)
    contact_id = session.execute(lookup, values).scalar_one()
    message = {**values, "contact_id": contact_id, "direction": "in", "status": "received"}
    result = session.execute(stored, message)
    if result.rowcount != 1:
        return None
    return Job(int(result.lastrowid), tenant, int(contact_id), inbound)


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


def apply_status(database_url: str | None, account: Account, update: StatusUpdate) -> bool:
    """Move the stored outbound message to the receipt's status; False when unknown."""
    if update.status not in RECEIPT_STATUSES:
        return False
    with session_scope(database_url) as session:
        tenant = _tenant(session, account)
        message = get_message_by_platform_id(
            session,
            tenant_id=tenant.id,
            channel=update.channel,
            platform_message_id=update.platform_message_id,
        )
        if message is None or message.direction != "out":
            return False
        mark_message(session, message_id=message.id, status=update.status, error=update.error)
        return True


def stored_buttons(
    database_url: str | None, *, tenant_id: int, channel: str, platform_message_id: str
) -> list[dict[str, Any]] | None:
    """The buttons of an outbound message, to resolve a "#<index>" button reference."""
    with session_scope(database_url) as session:
        message = get_message_by_platform_id(
            session, tenant_id=tenant_id, channel=channel, platform_message_id=platform_message_id
        )
        if message is None or not isinstance(message.payload, dict):
            return None
        buttons = message.payload.get("buttons")
        return list(buttons) if isinstance(buttons, list) else None


@functools.cache
def _candidates(direction: str) -> Any:
    """The look for work of the inbox ("in") or the outbox ("out") on SQLite (PostgreSQL looks
    and claims in one statement, `_PG_CLAIM_INBOUND`/`_OUTBOUND`), built once with bound
    parameters (channel, stale_before, exclude, limit) so it is compiled once, not per look.
    Plain columns, not ORM objects: a look runs for every message, and loading entities into a
    session costs more than the query.

    Only the head of each conversation's queue is eligible (no earlier row of the same contact
    and direction still waiting): a conversation is handled, and answered, one at a time, in
    order. A row claimed before `stale_before` belongs to a process that died.
    """
    messages = Message.__table__
    tenants = Tenant.__table__
    row = messages.c
    stale = row.processed_at < bindparam("stale_before", type_=row.processed_at.type)
    if direction == "in":
        waiting: tuple[str, ...] = ("received",)
        claimable = (row.status == "received") & or_(row.processed_at.is_(None), stale)
        query = select(
            row.id, row.status, row.processed_at, row.contact_id, row.payload,
            tenants.c.id.label("tenant_id"), tenants.c.slug, tenants.c.timezone,
            tenants.c.locale,
        ).join_from(messages, tenants, tenants.c.id == row.tenant_id)  # fmt: skip
    else:
        waiting = ("queued", "sending")
        claimable = (row.status == "queued") | ((row.status == "sending") & stale)
        query = select(row.id, row.status, row.processed_at, row.tenant_id, row.contact_id,
                       row.channel, row.payload)  # fmt: skip
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


def _look(session: Session, direction: str, channel: str, limit: int, lease: timedelta,
          exclude: frozenset[int]) -> Any:  # fmt: skip
    params = {
        "channel": channel,
        "stale_before": utcnow() - lease,
        "exclude": sorted(exclude),
        "limit": limit,
    }
    return session.execute(_candidates(direction), params)


@functools.cache
def _claim_statement() -> Any:
    """Compare-and-set: the row is taken only if its status and `processed_at` are still what
    was read, so two processes never both take it."""
    processed_at: Any = Message.processed_at
    stamp = Message.__table__.c.processed_at.type
    return (
        update(Message)
        .where(
            Message.id == bindparam("row_id"),
            Message.status == bindparam("read_status"),
            processed_at.is_not_distinct_from(bindparam("read_claim", type_=stamp)),
        )
        .values(processed_at=bindparam("claim_time", type_=stamp), status=bindparam("new_status"))
        .execution_options(synchronize_session=False)
    )


def _compare_and_set(session: Session, row: Any, new_status: str) -> datetime | None:
    """Claim `row` (see `_claim_statement`), setting its status; the claim time, or None."""
    now = utcnow()
    taken = session.execute(
        _claim_statement(),
        {
            "row_id": row.id,
            "read_status": row.status,
            "read_claim": row.processed_at,
            "claim_time": now,
            "new_status": new_status,
        },
    )
    return now if taken.rowcount == 1 else None


#: PostgreSQL: the look for work and the claim in one statement (one round trip, autocommit).
#: `FOR UPDATE ... SKIP LOCKED` passes over rows another process is claiming at that moment
#: instead of waiting for its commit (with separate look and compare-and-set, a process at
#: nice 10 descheduled mid-claim held the other one up to ~280 ms); a row another process
#: claimed and committed no longer matches when re-checked, so no row is claimed twice.
#: Mirrors `_candidates` and `_claim_statement` (the portable path, used on SQLite).
_PG_CLAIM_INBOUND = """
WITH picked AS (
    SELECT m.id, m.processed_at AS previous
    FROM messages AS m
    WHERE m.direction = 'in' AND m.channel = %(channel)s AND m.status = 'received'
      AND (m.processed_at IS NULL OR m.processed_at < %(stale_before)s)
      AND NOT (m.id = ANY(%(exclude)s::bigint[]))
      AND NOT EXISTS (
          SELECT 1 FROM messages AS earlier
          WHERE earlier.contact_id = m.contact_id AND earlier.direction = 'in'
            AND earlier.status = 'received' AND earlier.id < m.id)
    ORDER BY m.id
    LIMIT %(limit)s
    FOR UPDATE OF m SKIP LOCKED
)
UPDATE messages AS claimed SET processed_at = %(now)s
FROM picked, tenants
WHERE claimed.id = picked.id AND tenants.id = claimed.tenant_id
RETURNING claimed.id, picked.previous, claimed.contact_id, claimed.payload,
          tenants.id, tenants.slug, tenants.timezone, tenants.locale
"""

#: The same for queued replies (see `claim_next_outbound`).
_PG_CLAIM_OUTBOUND = """
WITH picked AS (
    SELECT m.id, m.status AS previous_status
    FROM messages AS m
    WHERE m.direction = 'out' AND m.channel = %(channel)s
      AND (m.status = 'queued'
           OR (m.status = 'sending' AND m.processed_at < %(stale_before)s))
      AND NOT (m.id = ANY(%(exclude)s::bigint[]))
      AND NOT EXISTS (
          SELECT 1 FROM messages AS earlier
          WHERE earlier.contact_id = m.contact_id AND earlier.direction = 'out'
            AND earlier.status IN ('queued', 'sending') AND earlier.id < m.id)
    ORDER BY m.id
    LIMIT %(limit)s
    FOR UPDATE OF m SKIP LOCKED
)
UPDATE messages AS claimed SET status = 'sending', processed_at = %(now)s
FROM picked
WHERE claimed.id = picked.id
RETURNING claimed.id, picked.previous_status, claimed.tenant_id, claimed.contact_id,
          claimed.channel, claimed.payload
"""


def _is_postgres(database_url: str | None) -> bool:
    return get_engine(database_url).dialect.name == "postgresql"


def _pg_claim(database_url: str | None, statement: str, *, channel: str, limit: int,
              lease: timedelta, exclude: frozenset[int], now: datetime) -> list[Any]:  # fmt: skip
    """Run one of the claim statements above on its own (autocommit: no BEGIN/COMMIT round
    trips, on the thread's own connection: see booking_core.db.direct), oldest first."""
    params = {
        "channel": channel,
        "stale_before": now - lease,
        "exclude": sorted(exclude),
        "limit": limit,
        "now": now,
    }
    return sorted(direct.execute(database_url, statement, params), key=lambda row: row[0])


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(timezone.utc) if value is not None else None


def _claimed_job(
    row_id: int, payload: Any, tenant: TenantInfo, contact_id: int
) -> tuple[Job | None, str | None]:
    """The job of a claimed row, or the reason it cannot be handled."""
    data = (payload or {}).get("inbound")
    try:
        if not isinstance(data, dict):
            raise ValueError("stored without processing data")
        return Job(row_id, tenant, contact_id, InboundMessage.from_dict(data)), None
    except (TypeError, ValueError) as exc:
        return None, str(exc)


def claim_next(
    database_url: str | None,
    *,
    channel: str,
    limit: int,
    lease: timedelta,
    exclude: frozenset[int] = frozenset(),
) -> list[ClaimedJob]:
    """Claim up to `limit` stored messages of `channel`, oldest first, one per contact at most.

    Only the first unhandled message of each contact is eligible, and only when nobody holds it
    (or its claim is older than `lease`): a conversation's messages are handled one at a time, in
    order, across every process. A claim sets `processed_at` only where it still has the value
    that was read (PostgreSQL: the row lock of `_PG_CLAIM_INBOUND`; SQLite: a compare-and-set),
    so two processes never both take a message. Messages that cannot be read back are marked
    failed.
    """
    claimed: list[ClaimedJob] = []
    unreadable: dict[int, str] = {}
    if _is_postgres(database_url):
        now = utcnow()
        for row in _pg_claim(database_url, _PG_CLAIM_INBOUND, channel=channel, limit=limit,
                             lease=lease, exclude=exclude, now=now):  # fmt: skip
            row_id, previous, contact_id, payload, *tenant_columns = row
            job, error = _claimed_job(row_id, payload, TenantInfo(*tenant_columns), contact_id)
            if job is None:
                unreadable[row_id] = error or "unreadable"
            else:
                claimed.append(ClaimedJob(job, _utc(previous), now))
    else:
        with session_scope(database_url) as session:
            for row in _look(session, "in", channel, limit, lease, exclude).all():
                claimed_at = _compare_and_set(session, row, "received")
                if claimed_at is None:
                    continue
                tenant = TenantInfo(row.tenant_id, row.slug, row.timezone, row.locale)
                job, error = _claimed_job(row.id, row.payload, tenant, row.contact_id)
                if job is None:
                    unreadable[row.id] = error or "unreadable"
                else:
                    claimed.append(ClaimedJob(job, row.processed_at, claimed_at))
    if unreadable:
        with session_scope(database_url) as session:
            for row_id, error in unreadable.items():
                mark_message(session, message_id=row_id, status="failed", error=error)
    return claimed


@functools.cache
def _complete_statements() -> tuple[Any, Any]:
    """Marking a claimed message done (only if the claim is still ours) and queueing its
    replies, built once."""
    processed_at: Any = Message.processed_at
    stamp = Message.__table__.c.processed_at.type
    done = (
        update(Message)
        .where(
            Message.id == bindparam("row_id"),
            Message.status == "received",
            processed_at == bindparam("claimed_at", type_=stamp),
        )
        .values(
            status=bindparam("new_status"),
            error=bindparam("new_error"),
            processed_at=bindparam("done_at", type_=stamp),
        )
        .execution_options(synchronize_session=False)
    )
    return done, Message.__table__.insert()


#: PostgreSQL: `complete_inbound` as one autocommit statement (one round trip instead of
#: BEGIN, UPDATE, INSERT, NOTIFY, COMMIT through the ORM session; measured with py-spy, the
#: completion was the largest part of this channel's own CPU in the Rasa process). The replies
#: come as one JSON array, inserted in their order; nothing is inserted and nobody is notified
#: when the claim was lost. Mirrors the portable path in `complete_inbound`.
_PG_COMPLETE_INBOUND = """
WITH done AS (
    UPDATE messages SET status = %(new_status)s, error = %(new_error)s, processed_at = %(done_at)s
    WHERE id = %(row_id)s AND status = 'received' AND processed_at = %(claimed_at)s
    RETURNING tenant_id, contact_id, channel
), queued AS (
    INSERT INTO messages (tenant_id, contact_id, channel, direction, text, payload, status,
                          created_at)
    SELECT done.tenant_id, done.contact_id, done.channel, 'out', reply.value ->> 'text',
           reply.value -> 'payload', 'queued', %(done_at)s
    FROM done, json_array_elements(%(replies)s::json) WITH ORDINALITY AS reply(value, n)
    ORDER BY reply.n
    RETURNING id
)
SELECT (SELECT count(*) FROM done),
       (SELECT pg_notify(%(notify)s, %(channel)s) WHERE EXISTS (SELECT 1 FROM queued)),
       EXISTS (SELECT 1 FROM messages AS later, done
               WHERE later.contact_id = done.contact_id AND later.direction = 'in'
                 AND later.status = 'received' AND later.id > %(row_id)s)
"""


def _reply_payload(
    part: Outgoing, *, account_id: str | None, recipient: str, in_reply_to: int
) -> dict[str, Any]:
    """What the sender needs to send one queued reply part."""
    payload: dict[str, Any] = {
        "request": part.body,
        "account_id": account_id,
        "recipient": recipient,
        "in_reply_to": in_reply_to,
    }
    if part.method:
        payload["method"] = part.method
    if part.buttons:
        payload["buttons"] = part.buttons
    return payload


def complete_inbound(
    database_url: str | None,
    claimed: ClaimedJob,
    *,
    error: str | None,
    replies: list[Outgoing],
    account_id: str | None,
    recipient: str,
) -> Completion:
    """Queue the message's replies and mark it done, in one transaction; falsy (nothing written)
    when the claim was lost (the lease ran out and another process took the message). Says
    whether the conversation's next message is waiting (see `Completion`).

    Being one transaction is what makes a crash harmless: either the replies are queued and the
    message is done, or neither, and the message is handled again. The replies are inserted
    directly (not through `record_message`): they have no platform id yet, so there is nothing
    to de-duplicate, and the contact and channel are the claimed message's own, checked when it
    was stored.
    """
    job = claimed.job
    payloads = [
        _reply_payload(part, account_id=account_id, recipient=recipient, in_reply_to=job.message_id)
        for part in replies
    ]
    done_params = {
        "row_id": job.message_id,
        "claimed_at": claimed.claimed_at,
        "new_status": "failed" if error else "processed",
        "new_error": error[:2000] if error else None,
        "done_at": utcnow(),
    }
    if _is_postgres(database_url):
        params = {
            **done_params,
            "replies": json.dumps(
                [
                    {"text": part.text, "payload": payload}
                    for part, payload in zip(replies, payloads, strict=True)
                ]
            ),
            "notify": OUTBOX_NOTIFY_CHANNEL,
            "channel": job.inbound.channel,
        }
        [(done_count, _notified, waiting)] = direct.execute(
            database_url, _PG_COMPLETE_INBOUND, params
        )
        return Completion(done_count == 1, bool(waiting))
    mark_done, queue_replies = _complete_statements()
    with session_scope(database_url) as session:
        done = session.execute(mark_done, done_params)
        if done.rowcount != 1:
            return Completion(False)
        rows = [
            {
                "tenant_id": job.tenant.id,
                "contact_id": job.contact_id,
                "channel": job.inbound.channel,
                "direction": "out",
                "text": part.text,
                "payload": payload,
                "status": "queued",
            }
            for part, payload in zip(replies, payloads, strict=True)
        ]
        if rows:
            session.execute(queue_replies, rows)
        waiting = session.execute(
            later_waiting("in"), {"contact_id": job.contact_id, "row_id": job.message_id}
        ).scalar_one()
    return Completion(True, bool(waiting))


def claim_next_outbound(
    database_url: str | None,
    *,
    channel: str,
    limit: int,
    lease: timedelta,
    exclude: frozenset[int] = frozenset(),
) -> list[QueuedReply]:
    """Claim up to `limit` queued replies of `channel` to send, the oldest of each contact only
    (a contact's replies go out one at a time, in order). A row left in "sending" longer than
    `lease` belonged to a sender that died; it comes back with `abandoned` set."""
    if _is_postgres(database_url):
        rows = _pg_claim(database_url, _PG_CLAIM_OUTBOUND, channel=channel, limit=limit,
                         lease=lease, exclude=exclude, now=utcnow())  # fmt: skip
        return [
            QueuedReply(
                row_id,
                tenant_id,
                contact_id,
                row_channel,
                dict(payload or {}),
                abandoned=previous_status == "sending",
            )
            for row_id, previous_status, tenant_id, contact_id, row_channel, payload in rows
        ]
    claimed: list[QueuedReply] = []
    with session_scope(database_url) as session:
        rows = _look(session, "out", channel, limit, lease, exclude).all()
        for row in rows:
            abandoned = row.status == "sending"
            if _compare_and_set(session, row, "sending") is not None:
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


def fail_rest_of_reply(database_url: str | None, reply: QueuedReply, error: str) -> int:
    """After a part failed, the queued parts of the same answer are not sent (they would read
    out of context): marked failed. Returns how many."""
    in_reply_to = reply.payload.get("in_reply_to")
    if in_reply_to is None:
        return 0  # a notice (booking_core.notices) stands alone
    failed = 0
    with session_scope(database_url) as session:
        rows = session.execute(
            select(Message).where(
                Message.contact_id == reply.contact_id,
                Message.direction == "out",
                Message.status == "queued",
                Message.id > reply.row_id,
            )
        ).scalars()
        for row in rows:
            if (row.payload or {}).get("in_reply_to") == in_reply_to:
                mark_message(session, message_id=row.id, status="failed", error=error[:2000])
                failed += 1
    return failed
