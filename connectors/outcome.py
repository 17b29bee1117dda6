"""Recording a queued reply's send outcome: a send that went out always ends "sent".

A row left in "sending" holds back the conversation's next replies until the lease runs out
(120 s), and is then marked "outcome unknown" although the user got it. Two things could leave
it there after a successful send:

- the platform answers with a message id already stored for the tenant and channel (the unique
  key (tenant_id, channel, platform_message_id); e.g. Telegram ids are per chat, so two bots of
  one tenant talking to the same user can be given the same "<chat>:<message>" id): the row is
  recorded "sent" without the id, and `error` says which id it was (DUPLICATE_ID_NOTE); receipts
  and button references keep finding the row that holds it;
- the database is briefly unreachable: the record is tried again after each of RECORD_DELAYS;
  if it still fails the row stays "sending" and the lease marks it "outcome unknown". Either way
  it is never sent again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

import psycopg2
from sqlalchemy import bindparam, func, update
from sqlalchemy.exc import IntegrityError

from booking_core.db import direct
from booking_core.db.models import Message
from booking_core.db.session import get_engine, session_scope
from connectors.store import QueuedReply, fail_rest_of_reply, later_waiting

logger = logging.getLogger(__name__)

#: What a sent row whose platform id was already taken says in `error` (its status is "sent").
DUPLICATE_ID_NOTE = "sent; platform id {platform_message_id} not recorded: another message has it"
#: Seconds to wait before each new try of a record that failed (then the lease decides).
RECORD_DELAYS = (0.2, 1.0, 5.0)
#: The unique key refusing the platform id (SQLAlchemy session on SQLite, direct on PostgreSQL).
_ID_TAKEN = (IntegrityError, psycopg2.IntegrityError)


@functools.cache
def _finish_statement() -> Any:
    """The send's outcome in one statement, built once. Receipts only move a status forward
    (sent -> delivered -> read), so a row a receipt already moved on keeps its status."""
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


#: `_finish_statement` as one autocommit statement for PostgreSQL (see booking_core.db.direct),
#: with `later_waiting("out")`'s question. The question's snapshot is the statement's own: the
#: finished row is still "sending" there, so it never counts itself. (A data-modifying WITH
#: runs whether or not the query reads it.)
_PG_FINISH_OUTBOUND = """
WITH finished AS (
    UPDATE messages
    SET status = %(new_status)s, error = %(new_error)s,
        platform_message_id = COALESCE(%(new_platform_id)s, platform_message_id)
    WHERE id = %(row_id)s AND status NOT IN ('delivered', 'read')
)
SELECT EXISTS (SELECT 1 FROM messages AS later
               WHERE later.contact_id = %(contact_id)s AND later.direction = 'out'
                 AND later.status = 'queued' AND later.id > %(row_id)s)
"""


def finish_outbound(
    database_url: str | None,
    row_id: int,
    *,
    platform_message_id: str | None,
    error: str | None,
    contact_id: int | None = None,
    sent: bool | None = None,
) -> bool:
    """The send's outcome: "sent" with the platform's id, or "failed" with the error (`sent`
    True: "sent" with `error` as a note). Returns whether `contact_id` has a later reply queued
    (the sender looks again only then)."""
    params = {
        "row_id": row_id,
        "new_status": "sent" if (sent if sent is not None else not error) else "failed",
        "new_error": error[:2000] if error else None,
        "new_platform_id": platform_message_id or None,
    }
    later = {"contact_id": contact_id, "row_id": row_id}
    if get_engine(database_url).dialect.name == "postgresql":
        [(waiting,)] = direct.execute(database_url, _PG_FINISH_OUTBOUND, {**params, **later})
        return bool(waiting)
    with session_scope(database_url) as session:
        # Its own parameters: an UPDATE would also set any column a parameter is named after.
        session.execute(_finish_statement(), params)
        if contact_id is None:
            return False
        return bool(session.execute(later_waiting("out"), later).scalar_one())


def _record(
    database_url: str | None, reply: QueuedReply, platform_message_id: str | None, error: str | None
) -> bool:
    """One try of `record_outcome` (in a worker thread)."""
    finish = functools.partial(finish_outbound, database_url, reply.row_id,
                               contact_id=reply.contact_id)  # fmt: skip
    try:
        later = finish(platform_message_id=platform_message_id, error=error)
    except _ID_TAKEN:
        if not platform_message_id or error:
            raise
        logger.warning("%s reply %s: platform id %s is already stored; recorded sent without it",
                       reply.channel, reply.row_id, platform_message_id)  # fmt: skip
        note = DUPLICATE_ID_NOTE.format(platform_message_id=platform_message_id)
        later = finish(platform_message_id=None, error=note, sent=True)
    if error:
        fail_rest_of_reply(database_url, reply,
                           f"not sent: an earlier part of the answer failed ({error})")  # fmt: skip
        return True  # other answers of the contact may be queued behind this one
    return later


async def record_outcome(
    database_url: str | None, reply: QueuedReply, platform_message_id: str | None, error: str | None
) -> bool:
    """Record a send's outcome ("sent" with the platform's id, or "failed" with `error`, the
    rest of the answer then failed too), tried again while it fails; whether the sender should
    look again (the contact's next reply is waiting, or the outcome is not recorded)."""
    for delay in RECORD_DELAYS:
        try:
            return await asyncio.to_thread(_record, database_url, reply, platform_message_id,
                                           error)  # fmt: skip
        except Exception:
            logger.warning("%s reply %s: recording the outcome failed; trying again in %.1f s",
                           reply.channel, reply.row_id, delay, exc_info=True)  # fmt: skip
            await asyncio.sleep(delay)
    try:
        return await asyncio.to_thread(_record, database_url, reply, platform_message_id, error)
    except Exception:
        logger.exception("%s reply %s: outcome not recorded; it stays 'sending' until the lease "
                         "ends, and is not sent again", reply.channel, reply.row_id)  # fmt: skip
        return True
