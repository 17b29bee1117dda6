"""SQLAlchemy declarative models (SQLAlchemy 1.4 Column style, used with the 2.0-style API).

Every row carries `tenant_id` so each query can be scoped to one business. Constraint names follow
`NAMING_CONVENTION` so Alembic (and SQLite batch migrations) can address them by name.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

from booking_core.db.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Base: Any = declarative_base(metadata=metadata)

#: Channels a contact or message can come from (Rasa's `rasa shell` is stored as "shell").
CHANNELS = ("rest", "shell", "whatsapp", "telegram", "instagram")
DIRECTIONS = ("in", "out")
#: Outbound rows go "queued" (written with the inbound message's completion) -> "sending"
#: (claimed by a sender) -> "sent"/"failed" -> "delivered" -> "read".
MESSAGE_STATUSES = (
    "received",
    "processed",
    "queued",
    "sending",
    "sent",
    "delivered",
    "read",
    "failed",
)
EVENT_STATUSES = ("pending", "confirmed", "cancelled", "failed")
#: Statuses that occupy a slot in the calendar.
ACTIVE_EVENT_STATUSES = ("pending", "confirmed")
#: Provider writes a booking can still owe (`calendar_events.owed_operation`).
OWED_OPERATIONS = ("create", "update", "delete")
#: The rows the calendar worker looks at: a write is owed, or the row is still pending.
OWED_WRITES = "owed_operation IS NOT NULL OR status = 'pending'"

DEFAULT_BUSINESS_HOURS: dict[str, list[str]] = {
    day: ["09:00", "17:00"] for day in ("mon", "tue", "wed", "thu", "fri")
}


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that works on SQLite and PostgreSQL alike."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def new_feed_token() -> str:
    """Unguessable token for a tenant's calendar feed URL."""
    return secrets.token_urlsafe(32)


def new_event_uid() -> str:
    """Random 128-bit id in lower-case base32hex (0-9a-v, 26 chars).

    The alphabet and length fit Google Calendar's client-chosen event ids (5-1024 chars of 0-9a-v),
    so the same value can be the iCalendar UID, the `.ics` link and the provider-side id that makes
    a retried insert idempotent.
    """
    return base64.b32hexencode(uuid.uuid4().bytes).decode("ascii").rstrip("=").lower()


class Tenant(Base):
    """A business using the assistant, with its time zone, hours and calendar settings."""

    __tablename__ = "tenants"

    id: int = Column(Integer, primary_key=True)
    name: str = Column(String(200), nullable=False)
    slug: str = Column(String(64), nullable=False, unique=True)
    timezone: str = Column(String(64), nullable=False, default="Europe/London")
    locale: str = Column(String(16), nullable=False, default="en_GB")
    calendar_provider: str = Column(String(32), nullable=False, default="builtin")
    calendar_settings: dict[str, Any] = Column(JSON, nullable=False, default=dict)
    business_hours: dict[str, list[str]] = Column(
        JSON, nullable=False, default=lambda: dict(DEFAULT_BUSINESS_HOURS)
    )
    default_event_minutes: int = Column(Integer, nullable=False, default=30)
    #: Minimum notice, how far ahead, buffers, daily cap, change cut-off (booking_rules).
    booking_rules: dict[str, Any] = Column(JSON, nullable=False, default=dict)
    #: Where the business is and how to reach it, for "where are you?" and refused changes.
    address: str | None = Column(String(300))
    map_url: str | None = Column(String(500))
    phone: str | None = Column(String(40))
    email: str | None = Column(String(254))
    feed_token: str = Column(String(64), nullable=False, unique=True, default=new_feed_token)
    created_at: datetime = Column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<Tenant id={self.id} slug={self.slug!r}>"


class Contact(Base):
    """One end user on one channel of one tenant."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("tenant_id", "channel", "platform_user_id"),)

    id: int = Column(Integer, primary_key=True)
    tenant_id: int = Column(Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)
    channel: str = Column(String(32), nullable=False)
    platform_user_id: str = Column(String(255), nullable=False)
    display_name: str | None = Column(String(255))
    locale: str | None = Column(String(16))
    created_at: datetime = Column(UTCDateTime, nullable=False, default=utcnow)
    #: Last inbound message time: WhatsApp/Instagram only allow free-form replies for 24 h after it.
    last_inbound_at: datetime | None = Column(UTCDateTime)

    tenant = relationship("Tenant")

    def __repr__(self) -> str:
        return f"<Contact id={self.id} {self.channel}:{self.platform_user_id}>"


#: Messages still waiting to be handled (inbound) or sent (outbound).
PENDING = "status IN ('received', 'queued', 'sending')"


class Message(Base):
    """An inbound or outbound message; (tenant, channel, platform_message_id) de-duplicates."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "channel", "platform_message_id"),
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        CheckConstraint(_in("status", MESSAGE_STATUSES), name="status"),
        Index("ix_messages_tenant_contact_created", "tenant_id", "contact_id", "created_at"),
        # The work queues' looks for work (booking_core.messaging.inbox / .outbox): only the
        # few rows still waiting are indexed, so a look costs the same after years of history
        # as on the first day.
        Index(
            "ix_messages_pending",
            "channel",
            "direction",
            "id",
            postgresql_where=text(PENDING),
            sqlite_where=text(PENDING),
        ),
        Index(
            "ix_messages_pending_contact",
            "contact_id",
            "direction",
            "id",
            postgresql_where=text(PENDING),
            sqlite_where=text(PENDING),
        ),
    )

    id: int = Column(Integer, primary_key=True)
    tenant_id: int = Column(Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)
    contact_id: int = Column(
        Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    channel: str = Column(String(32), nullable=False)
    direction: str = Column(String(3), nullable=False)
    platform_message_id: str | None = Column(String(255))
    text: str | None = Column(Text)
    payload: dict[str, Any] | None = Column(JSON)
    intent: str | None = Column(String(128))
    status: str = Column(String(16), nullable=False)
    error: str | None = Column(Text)
    created_at: datetime = Column(UTCDateTime, nullable=False, default=utcnow)
    #: Timestamp the platform put on the message (may differ from `created_at`).
    sent_at: datetime | None = Column(UTCDateTime)
    #: When an inbound message was handled (completed or failed).
    processed_at: datetime | None = Column(UTCDateTime)
    #: The work queues' claim stamp (booking_core.messaging): when a process took the row; a
    #: claim older than the lease belongs to a process that died.
    claimed_at: datetime | None = Column(UTCDateTime)
    #: Who holds (or last held) the claim: "<claimer id>/<token of its start>", or "released"
    #: (booking_core.messaging.claimer).
    claimed_by: str | None = Column(String(128))

    contact = relationship("Contact")

    def __repr__(self) -> str:
        return f"<Message id={self.id} {self.direction} {self.status}>"


class CalendarEvent(Base):
    """A booking; the row is the event for the built-in provider, a mirror for external ones."""

    __tablename__ = "calendar_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        CheckConstraint(_in("status", EVENT_STATUSES), name="status"),
        CheckConstraint('"end" > start', name="end_after_start"),
        CheckConstraint(_in("owed_operation", OWED_OPERATIONS), name="owed_operation"),
        CheckConstraint("owed_attempts >= 0", name="owed_attempts"),
        Index("ix_calendar_events_tenant_start", "tenant_id", "start"),
        # The calendar worker's look for work (booking_core.worker): only the few rows that
        # still owe a provider write are indexed.
        Index(
            "ix_calendar_events_owed",
            "updated_at",
            "id",
            postgresql_where=text(OWED_WRITES),
            sqlite_where=text(OWED_WRITES),
        ),
    )

    id: int = Column(Integer, primary_key=True)
    tenant_id: int = Column(Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)
    contact_id: int | None = Column(
        Integer, ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    #: Public id: iCalendar UID, `.ics` link and provider-side client id (base32hex, unique).
    uid: str = Column(String(64), nullable=False, unique=True, default=new_event_uid)
    title: str = Column(String(255), nullable=False)
    #: Where it takes place, as the customer said it ("2250 Oak Street", "the office").
    location: str | None = Column(String(200))
    #: The service booked, with its price and buffers as they were when it was booked.
    service_id: int | None = Column(Integer, ForeignKey("services.id", ondelete="SET NULL"))
    price_cents: int | None = Column(Integer)
    currency: str | None = Column(String(3))
    buffer_before_minutes: int = Column(
        Integer, nullable=False, default=0, server_default=text("0")
    )
    buffer_after_minutes: int = Column(
        Integer, nullable=False, default=0, server_default=text("0")
    )
    start: datetime = Column(UTCDateTime, nullable=False)
    end: datetime = Column(UTCDateTime, nullable=False)
    #: IANA zone the user booked in, for display; `start`/`end` are UTC instants.
    timezone: str = Column(String(64), nullable=False)
    provider: str = Column(String(32), nullable=False)
    provider_event_id: str | None = Column(String(1024))
    link: str | None = Column(Text)
    status: str = Column(String(16), nullable=False, default="pending")
    #: The last provider error (or why the row was given up), for people; never parsed.
    error: str | None = Column(Text)
    #: The provider write this row still owes (create, update or delete), NULL when none:
    #: written by `booking_core.calendar_writes`, completed by `booking_core.worker`.
    owed_operation: str | None = Column(String(8))
    #: Provider calls made so far for the owed write (the worker's backoff doubles with it).
    owed_attempts: int = Column(Integer, nullable=False, default=0, server_default=text("0"))
    #: Deterministic key of the booking request, so a retried request finds its row.
    idempotency_key: str | None = Column(String(64))
    requested_message_id: int | None = Column(
        Integer, ForeignKey("messages.id", ondelete="SET NULL")
    )
    confirmed_message_id: int | None = Column(
        Integer, ForeignKey("messages.id", ondelete="SET NULL")
    )
    created_at: datetime = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: datetime = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    tenant = relationship("Tenant")
    contact = relationship("Contact")

    def __repr__(self) -> str:
        return f"<CalendarEvent id={self.id} uid={self.uid} {self.status}>"


#: Channels whose accounts (a WhatsApp number, an Instagram account, a Telegram bot) a tenant owns.
ACCOUNT_CHANNELS = ("whatsapp", "telegram", "instagram")


class ChannelAccount(Base):
    """A tenant's account on one messaging platform; secrets are stored encrypted.

    `account_id` routes inbound webhooks to the tenant: the WhatsApp phone_number_id, the
    Instagram account id (`entry.id`) or the Telegram bot id. Telegram's webhook carries no account
    id, only the secret token, so its SHA-256 is kept in `lookup_hash` to find the bot. The
    `*_enc` columns hold Fernet tokens (see `booking_core.crypto`), never plaintext.
    """

    __tablename__ = "channel_accounts"
    __table_args__ = (
        UniqueConstraint("channel", "account_id"),
        UniqueConstraint("channel", "lookup_hash"),
        CheckConstraint(_in("channel", ACCOUNT_CHANNELS), name="channel"),
    )

    id: int = Column(Integer, primary_key=True)
    tenant_id: int = Column(
        Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    channel: str = Column(String(32), nullable=False)
    account_id: str = Column(String(255), nullable=False)
    lookup_hash: str | None = Column(String(64))
    access_token_enc: str | None = Column(Text)
    app_secret_enc: str | None = Column(Text)
    verify_token_enc: str | None = Column(Text)
    bot_token_enc: str | None = Column(Text)
    webhook_secret_enc: str | None = Column(Text)
    created_at: datetime = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: datetime = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    tenant = relationship("Tenant")

    def __repr__(self) -> str:
        return f"<ChannelAccount id={self.id} {self.channel}:{self.account_id}>"


class ApiKey(Base):
    """A tenant's admin-API key; only the SHA-256 of the (high-entropy, random) key is stored.

    `prefix` is the key's first characters, shown in listings so an owner can tell keys apart.
    """

    __tablename__ = "api_keys"

    id: int = Column(Integer, primary_key=True)
    tenant_id: int = Column(
        Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: str = Column(String(100), nullable=False)
    prefix: str = Column(String(16), nullable=False)
    key_hash: str = Column(String(64), nullable=False, unique=True)
    created_at: datetime = Column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at: datetime | None = Column(UTCDateTime)

    tenant = relationship("Tenant")

    def __repr__(self) -> str:
        return f"<ApiKey id={self.id} tenant_id={self.tenant_id} prefix={self.prefix!r}>"


class OAuthState(Base):
    """An issued OAuth `state` of the Google connect flow, so that each works once.

    Only the SHA-256 of the state's random nonce is kept (the signed state carries the tenant and
    expiry itself). The callback spends the row with one UPDATE ... WHERE used_at IS NULL, so of
    two callbacks with one state exactly one wins; a new connect deletes the tenant's earlier
    rows (an older state is superseded) and every expired row (the table stays small).
    """

    __tablename__ = "oauth_states"

    id: int = Column(Integer, primary_key=True)
    tenant_id: int = Column(
        Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    nonce_hash: str = Column(String(64), nullable=False, unique=True)
    expires_at: datetime = Column(UTCDateTime, nullable=False, index=True)
    used_at: datetime | None = Column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OAuthState id={self.id} tenant_id={self.tenant_id}>"


#: The history listing (a tenant's messages, newest first) walks this index.
Index("ix_messages_tenant_created", Message.tenant_id, Message.created_at)


# The services table lives in its own module (this one would pass 400 lines); importing it here
# puts it on `metadata` for every user of the models.
from booking_core.db.service_model import Service  # noqa: E402,F401
