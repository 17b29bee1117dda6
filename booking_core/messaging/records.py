"""The records the work queues pass around, and the typed forms of what they store in the
`messages.payload` column (pure: no database access).

The platform-neutral message shapes (`InboundMessage`, `StatusUpdate`, `Outgoing`) live here
rather than in `connectors` because the queues store and read them back; the connectors' parsers
and formatters build them and re-export them under their old module names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

# --- what the platforms deliver and what is sent -------------------------------------------


@dataclass(frozen=True)
class InboundMessage:
    """One user message out of a webhook batch.

    `platform_message_id` is the de-duplication key (wamid, Instagram mid, Telegram update_id,
    stored as "<bot id>:<update_id>" since update ids are per bot);
    `chat_id` is where replies go; `reply_to` is the platform id of the bot message a button
    belonged to (used to resolve short button references and to remove Telegram keyboards).
    """

    channel: str
    platform_message_id: str
    platform_user_id: str
    chat_id: str
    kind: str
    text: str | None = None
    account_id: str | None = None
    display_name: str | None = None
    language: str | None = None
    sent_at: datetime | None = None
    reply_to: str | None = None
    callback_query_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: The item as received, as ASCII JSON text; kept only when characters the database
    #: cannot store had to be replaced (see connectors.storable).
    raw: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, stored with the message so a restart can process it again."""
        data = asdict(self)
        data["sent_at"] = self.sent_at.isoformat() if self.sent_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InboundMessage:
        """Inverse of `to_dict`."""
        values = dict(data)
        sent_at = values.get("sent_at")
        values["sent_at"] = datetime.fromisoformat(sent_at) if sent_at else None
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery receipt for a message the bot sent (WhatsApp statuses, Instagram reads)."""

    channel: str
    platform_message_id: str
    status: str
    account_id: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """One platform request that sends a message; `buttons` are Rasa's buttons it carries
    (stored with the outbound row so a "#<index>" button reference can be resolved later)."""

    body: dict[str, Any]
    text: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    #: The API method where the platform has several (Telegram: sendMessage, sendPhoto, ...).
    method: str = ""


class AccountRef(Protocol):
    """What the queues need of a platform account (connectors.accounts.Account has it):
    the id messages are stored under and its tenant (None: the default tenant)."""

    @property
    def account_id(self) -> str: ...

    @property
    def tenant_id(self) -> int | None: ...


# --- the queues' records ---------------------------------------------------------------------


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


def inbound_payload(inbound: InboundMessage) -> dict[str, Any]:
    """The payload column of a stored inbound message (read back by `job_from_payload`)."""
    return {"inbound": inbound.to_dict()}


def job_from_payload(
    row_id: int, payload: Any, tenant: TenantInfo, contact_id: int
) -> tuple[Job | None, str | None]:
    """The job of a claimed row, or the reason it cannot be handled."""
    data = (payload or {}).get("inbound") if isinstance(payload, Mapping) else None
    try:
        if not isinstance(data, dict):
            raise ValueError("stored without processing data")
        return Job(row_id, tenant, contact_id, InboundMessage.from_dict(data)), None
    except (TypeError, ValueError) as exc:
        return None, str(exc)


# --- outbound rows ---------------------------------------------------------------------------

#: The payload keys `OutboundPayload` knows; any other key is kept in `extra`.
_OUTBOUND_KEYS = ("recipient", "account_id", "request", "method", "buttons", "in_reply_to",
                  "notice")  # fmt: skip


@dataclass(frozen=True)
class OutboundPayload:
    """What an outbound row's payload column holds: everything the sender needs to send it.

    A reply part carries the platform `request` (and `method` where the platform has several)
    and `in_reply_to`, the inbound message it answers (the parts of one answer fail together).
    A message queued outside a conversation turn (a notice, `queue_message`) carries `notice`,
    its plain text, instead of a request: the sender formats it for the platform when sending.
    `buttons` (Rasa's {"title", "payload"}) resolve a later "#<index>" button reference.
    """

    recipient: str
    account_id: str | None = None
    request: dict[str, Any] | None = None
    method: str = ""
    buttons: tuple[dict[str, Any], ...] = ()
    in_reply_to: int | None = None
    notice: str | None = None
    #: Keys this version does not know, kept so a row written by a newer one reads unchanged.
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stored form (the key layout rows have always had: empty parts left out)."""
        data: dict[str, Any] = {**self.extra, "account_id": self.account_id,
                                "recipient": self.recipient}  # fmt: skip
        if self.request is not None:
            data["request"] = self.request
        if self.method:
            data["method"] = self.method
        if self.buttons:
            data["buttons"] = list(self.buttons)
        if self.in_reply_to is not None:
            data["in_reply_to"] = self.in_reply_to
        if self.notice is not None:
            data["notice"] = self.notice
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> OutboundPayload:
        """Read a stored payload leniently (any row ever stored): wrong types count as absent."""
        data = data or {}
        request, buttons = data.get("request"), data.get("buttons")
        in_reply_to, notice = data.get("in_reply_to"), data.get("notice")
        account_id = data.get("account_id")
        return cls(
            recipient=str(data.get("recipient") or ""),
            account_id=str(account_id) if account_id else None,
            request=request if isinstance(request, dict) else None,
            method=str(data.get("method") or ""),
            buttons=tuple(b for b in buttons if isinstance(b, dict))
            if isinstance(buttons, list)
            else (),
            in_reply_to=in_reply_to
            if isinstance(in_reply_to, int) and not isinstance(in_reply_to, bool)
            else None,
            notice=notice if isinstance(notice, str) else None,
            extra={k: v for k, v in data.items() if k not in _OUTBOUND_KEYS},
        )


@dataclass(frozen=True)
class QueuedReply:
    """An outbound row the sender has just claimed; `payload` is the stored mapping (what
    `send_stored` takes), `outbound` its typed reading."""

    row_id: int
    tenant_id: int
    contact_id: int
    channel: str
    payload: dict[str, Any]
    #: Set when a sender died while sending it: the outcome is unknown.
    abandoned: bool

    @property
    def outbound(self) -> OutboundPayload:
        """The payload, typed."""
        return OutboundPayload.from_json(self.payload)


@dataclass(frozen=True)
class StoredMessage:
    """An outbound row `queue_message` stored (copied out of the session)."""

    id: int
    tenant_id: int
    contact_id: int
    channel: str
    recipient: str
    text: str
    status: str
