"""The work queues' statements for PostgreSQL, written out by hand, and their execution.

Why hand-written: SQLAlchemy 1.4 cannot cache the compiled form of its ON CONFLICT constructs,
and building them cost more than the database work; and each of these is one statement (one
round trip) where the portable form (`portable`, whose results they match) needs several. All
but the inbound insert run in autocommit on the thread's own connection (`pg_connection`): no
BEGIN/COMMIT round trips, no pool checkout.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from booking_core.db.repository.messages import OUTBOX_NOTIFY_CHANNEL
from booking_core.db.types import utcnow
from booking_core.messaging import pg_connection
from booking_core.messaging.backend import Done, InboundClaim, Look, Outcome
from booking_core.messaging.claimer import RELEASED, Claimer
from booking_core.messaging.records import (
    ClaimedJob,
    InboundMessage,
    Job,
    QueuedReply,
    TenantInfo,
)

#: The contact upsert and the message insert as ONE statement, in the caller's transaction (the
#: group commit's). No row comes back when the message was already stored.
STORE_INBOUND = """
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

#: The look for work and the claim in one statement. `FOR UPDATE ... SKIP LOCKED` passes over
#: rows another process is claiming at that moment instead of waiting for its commit (with
#: separate look and compare-and-set, a process at nice 10 descheduled mid-claim held the other
#: one up to ~280 ms); a row another process claimed and committed no longer matches when
#: re-checked, so no row is claimed twice.
CLAIM_INBOUND = """
WITH picked AS (
    SELECT m.id, m.claimed_at AS previous
    FROM messages AS m
    WHERE m.direction = 'in' AND m.channel = %(channel)s AND m.status = 'received'
      AND (m.claimed_at IS NULL OR m.claimed_at < %(stale_before)s
           OR m.claimed_by = %(released)s
           OR (left(m.claimed_by, char_length(%(prefix)s)) = %(prefix)s
               AND m.claimed_by COLLATE "C" < %(claimer)s))
      AND NOT (m.id = ANY(%(exclude)s::bigint[]))
      AND NOT EXISTS (
          SELECT 1 FROM messages AS earlier
          WHERE earlier.contact_id = m.contact_id AND earlier.direction = 'in'
            AND earlier.status = 'received' AND earlier.id < m.id)
    ORDER BY m.id
    LIMIT %(limit)s
    FOR UPDATE OF m SKIP LOCKED
)
UPDATE messages AS claimed SET claimed_at = %(now)s, claimed_by = %(claimer)s
FROM picked, tenants
WHERE claimed.id = picked.id AND tenants.id = claimed.tenant_id
RETURNING claimed.id, picked.previous, claimed.contact_id, claimed.payload,
          tenants.id, tenants.slug, tenants.timezone, tenants.locale
"""

#: The same for queued replies; a row left "sending" past the lease (or released, or held by an
#: earlier run of this claimer) comes back abandoned.
CLAIM_OUTBOUND = """
WITH picked AS (
    SELECT m.id, m.status AS previous_status
    FROM messages AS m
    WHERE m.direction = 'out' AND m.channel = %(channel)s
      AND (m.status = 'queued'
           OR (m.status = 'sending'
               AND (m.claimed_at < %(stale_before)s OR m.claimed_by = %(released)s
                    OR (left(m.claimed_by, char_length(%(prefix)s)) = %(prefix)s
                        AND m.claimed_by COLLATE "C" < %(claimer)s))))
      AND NOT (m.id = ANY(%(exclude)s::bigint[]))
      AND NOT EXISTS (
          SELECT 1 FROM messages AS earlier
          WHERE earlier.contact_id = m.contact_id AND earlier.direction = 'out'
            AND earlier.status IN ('queued', 'sending') AND earlier.id < m.id)
    ORDER BY m.id
    LIMIT %(limit)s
    FOR UPDATE OF m SKIP LOCKED
)
UPDATE messages AS claimed SET status = 'sending', claimed_at = %(now)s,
                               claimed_by = %(claimer)s
FROM picked
WHERE claimed.id = picked.id
RETURNING claimed.id, picked.previous_status, claimed.tenant_id, claimed.contact_id,
          claimed.channel, claimed.payload
"""

#: A completion as one statement (instead of BEGIN, UPDATE, INSERT, NOTIFY, COMMIT through the
#: ORM session; measured with py-spy, the completion was the largest part of a channel's own
#: CPU in the Rasa process). The replies come as one JSON array, inserted in their order;
#: nothing is inserted and nobody is notified when the claim was lost.
COMPLETE_INBOUND = """
WITH done AS (
    UPDATE messages SET status = %(new_status)s, error = %(new_error)s, processed_at = %(done_at)s
    WHERE id = %(row_id)s AND status = 'received' AND claimed_at = %(claimed_at)s
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

#: A send's outcome, with the question whether the contact's next reply waits. The question's
#: snapshot is the statement's own: the finished row is still "sending" there, so it never
#: counts itself. (A data-modifying WITH runs whether or not the query reads it.) Receipts
#: only move a status forward, so a row a receipt already moved on keeps its status.
FINISH_OUTBOUND = """
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

#: A stopping process's unfinished claims, free for any process at once. `claimed_at` is kept:
#: the next claimer sees it as the previous claim (a take-over, see connectors.takeover).
RELEASE = """
UPDATE messages SET claimed_by = %(released)s
WHERE channel = %(channel)s AND claimed_by = %(claimer)s
  AND ((direction = 'in' AND status = 'received') OR (direction = 'out' AND status = 'sending'))
RETURNING id
"""

#: Subscribing a connection to a NOTIFY channel (booking_core.messaging.listener).
LISTEN = "LISTEN {name}"


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(timezone.utc) if value is not None else None


class PostgresBackend:
    """`QueueBackend` for PostgreSQL: the statements above."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def __repr__(self) -> str:
        return "PostgresBackend()"

    def _claim(self, statement: str, look: Look, now: datetime) -> list[Any]:
        """Run a claim statement, its rows oldest first."""
        params = {
            "channel": look.channel,
            "stale_before": now - look.lease,
            "exclude": sorted(look.exclude),
            "limit": look.limit,
            "now": now,
            "claimer": look.claimer.stamp,
            "prefix": look.claimer.prefix,
            "released": RELEASED,
        }
        rows = pg_connection.execute(self.database_url, statement, params)
        return sorted(rows, key=lambda row: row[0])

    def insert_inbound(
        self, session: Session, tenant: TenantInfo, inbound: InboundMessage, values: dict[str, Any]
    ) -> Job | None:
        values = {**values, "payload": json.dumps(values["payload"])}
        row = session.connection().exec_driver_sql(STORE_INBOUND, values).first()
        if row is None:
            return None
        return Job(int(row[0]), tenant, int(row[1]), inbound)

    def claim_inbound(self, look: Look) -> list[InboundClaim]:
        now = utcnow()
        rows = self._claim(CLAIM_INBOUND, look, now)
        return [
            InboundClaim(row_id, _utc(previous), now, contact_id, payload, TenantInfo(*tenant))
            for row_id, previous, contact_id, payload, *tenant in rows
        ]

    def complete_inbound(self, claimed: ClaimedJob, done: Done) -> tuple[bool, bool]:
        job = claimed.job
        params = {
            "row_id": job.message_id,
            "claimed_at": claimed.claimed_at,
            "new_status": done.status,
            "new_error": done.error,
            "done_at": done.done_at,
            "replies": json.dumps([{"text": text, "payload": p} for text, p in done.replies]),
            "notify": OUTBOX_NOTIFY_CHANNEL,
            "channel": job.inbound.channel,
        }
        [(done_count, _notified, waiting)] = pg_connection.execute(
            self.database_url, COMPLETE_INBOUND, params
        )
        return done_count == 1, bool(waiting)

    def claim_outbound(self, look: Look) -> list[QueuedReply]:
        rows = self._claim(CLAIM_OUTBOUND, look, utcnow())
        return [
            QueuedReply(
                row_id,
                tenant_id,
                contact_id,
                channel,
                dict(payload or {}),
                abandoned=previous_status == "sending",
            )
            for row_id, previous_status, tenant_id, contact_id, channel, payload in rows
        ]

    def finish_outbound(self, row_id: int, outcome: Outcome, contact_id: int | None) -> bool:
        params = {
            "row_id": row_id,
            "new_status": outcome.status,
            "new_error": outcome.error,
            "new_platform_id": outcome.platform_message_id,
            "contact_id": contact_id,
        }
        [(waiting,)] = pg_connection.execute(self.database_url, FINISH_OUTBOUND, params)
        return bool(waiting)

    def release(self, channel: str, claimer: Claimer) -> int:
        params = {"channel": channel, "claimer": claimer.stamp, "released": RELEASED}
        return len(pg_connection.execute(self.database_url, RELEASE, params))
