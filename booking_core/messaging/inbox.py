"""Taking stored inbound messages to handle (claim) and ending them (complete), one message at a
time per conversation, across every process sharing the database.
"""

from __future__ import annotations

from datetime import timedelta

from booking_core.db.repository import mark_message
from booking_core.db.repository.messages import INBOX_NOTIFY_CHANNEL
from booking_core.db.session import session_scope
from booking_core.db.types import utcnow
from booking_core.messaging.backend import Done, Look, backend_for
from booking_core.messaging.claimer import current_claimer
from booking_core.messaging.records import (
    ClaimedJob,
    Completion,
    OutboundPayload,
    Outgoing,
    job_from_payload,
)

__all__ = ["INBOX_NOTIFY_CHANNEL", "claim_next", "complete_inbound", "release_claims"]


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
    order, across every process. A claim sets `claimed_at` only where it still has the value
    that was read (PostgreSQL: a row lock; elsewhere: a compare-and-set), so two processes never
    both take a message. Messages that cannot be read back are marked failed.
    """
    claimed: list[ClaimedJob] = []
    unreadable: dict[int, str] = {}
    look = Look(channel, limit, lease, exclude)
    for row in backend_for(database_url).claim_inbound(look):
        job, error = job_from_payload(row.row_id, row.payload, row.tenant, row.contact_id)
        if job is None:
            unreadable[row.row_id] = error or "unreadable"
        else:
            claimed.append(ClaimedJob(job, row.previous_claim, row.claimed_at))
    if unreadable:
        with session_scope(database_url) as session:
            for row_id, error in unreadable.items():
                mark_message(session, message_id=row_id, status="failed", error=error)
    return claimed


def reply_payload(
    part: Outgoing, *, account_id: str | None, recipient: str, in_reply_to: int
) -> OutboundPayload:
    """What the sender needs to send one queued reply part."""
    return OutboundPayload(
        recipient=recipient,
        account_id=account_id,
        request=part.body,
        method=part.method,
        buttons=tuple(part.buttons),
        in_reply_to=in_reply_to,
    )


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
    queued = [
        (
            part.text,
            reply_payload(
                part, account_id=account_id, recipient=recipient, in_reply_to=job.message_id
            ).to_json(),
        )
        for part in replies
    ]
    done = Done(
        status="failed" if error else "processed",
        error=error[:2000] if error else None,
        done_at=utcnow(),
        replies=queued,
    )
    finished, waiting = backend_for(database_url).complete_inbound(claimed, done)
    return Completion(finished, waiting and finished)


def release_claims(database_url: str | None, channel: str) -> int:
    """Give up this process's unfinished claims on `channel`, inbound and outbound, when it
    stops: another process takes them at once instead of after the lease. A released inbound
    message is handled again (its take-over check finds an answer Rasa already gave); a released
    reply in "sending" is recorded "outcome unknown", not sent again. Returns how many."""
    return backend_for(database_url).release(channel, current_claimer())
