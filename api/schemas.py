"""Request and response models (pydantic v1: Rasa pins pydantic 1.10).

Secrets are `SecretStr` on the way in (never echoed, redacted in reprs) and absent from every
response model: a channel account shows which secrets are set, never their values.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, validator
from pydantic.fields import ModelField

from api.service_schemas import check_rules
from booking_core.scheduling import parse_business_hours

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
LOCALE_PATTERN = r"^[a-z]{2,3}(?:_[A-Z]{2})?$"
#: Printable text: no control characters (PostgreSQL refuses NUL, and none belong in a name).
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
TOKEN_PATTERN = r"^[\x21-\x7e]+$"
HTTPS_URL_PATTERN = r"^https://[^\s/?#]+[^\s]*$"
PHONE_PATTERN = r"^\+?[0-9 ()-]{3,40}$"
EMAIL_PATTERN = r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$"
RULES_HELP = (
    'e.g. {"min_notice_minutes": 120, "max_advance_days": 60, "buffer_after_minutes": 10, '
    '"daily_cap": 8, "change_cutoff_hours": 24}; a missing or null key: no such rule'
)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError("not an IANA time zone (e.g. Europe/London)") from None
    return value


def _check_business_hours(value: dict[str, list[str]]) -> dict[str, list[str]]:
    """The scheduler's own rule (`parse_business_hours`), so what is saved is what it reads."""
    parse_business_hours(value)
    return value


class Detail(BaseModel):
    """An error or status message."""

    detail: str


# --- tenants ---------------------------------------------------------------------------------


class TenantBase(BaseModel):
    class Config:
        extra = "forbid"


class TenantCreate(TenantBase):
    name: str = Field(..., min_length=1, max_length=200, regex=TEXT_PATTERN)
    slug: str = Field(..., min_length=1, max_length=64, regex=SLUG_PATTERN)
    timezone: str = Field("Europe/London", max_length=64)
    locale: str = Field("en_GB", max_length=16, regex=LOCALE_PATTERN)
    business_hours: dict[str, list[str]] | None = Field(
        None, description='e.g. {"mon": ["09:00", "17:00"]}; days not listed are closed'
    )
    default_event_minutes: int = Field(30, ge=5, le=1440)
    booking_rules: dict[str, Any] | None = Field(None, description=RULES_HELP)
    address: str | None = Field(None, max_length=300, regex=TEXT_PATTERN)
    map_url: str | None = Field(None, max_length=500, regex=HTTPS_URL_PATTERN)
    phone: str | None = Field(None, max_length=40, regex=PHONE_PATTERN)
    email: str | None = Field(None, max_length=254, regex=EMAIL_PATTERN)

    @validator("timezone")
    def _timezone(cls, value: str) -> str:  # noqa: N805 (pydantic validators take cls)
        return _check_timezone(value)

    _rules = validator("booking_rules", allow_reuse=True)(check_rules)

    @validator("business_hours")
    def _hours(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:  # noqa: N805
        return value if value is None else _check_business_hours(value)


class TenantUpdate(TenantBase):
    name: str | None = Field(None, min_length=1, max_length=200, regex=TEXT_PATTERN)
    timezone: str | None = Field(None, max_length=64)
    locale: str | None = Field(None, max_length=16, regex=LOCALE_PATTERN)
    business_hours: dict[str, list[str]] | None = None
    default_event_minutes: int | None = Field(None, ge=5, le=1440)
    calendar_provider: Literal["builtin", "google"] | None = None
    booking_rules: dict[str, Any] | None = Field(None, description=RULES_HELP)
    address: str | None = Field(None, max_length=300, regex=TEXT_PATTERN)
    map_url: str | None = Field(None, max_length=500, regex=HTTPS_URL_PATTERN)
    phone: str | None = Field(None, max_length=40, regex=PHONE_PATTERN)
    email: str | None = Field(None, max_length=254, regex=EMAIL_PATTERN)

    _rules = validator("booking_rules", allow_reuse=True)(check_rules)

    @validator("timezone")
    def _timezone(cls, value: str | None) -> str | None:  # noqa: N805
        return value if value is None else _check_timezone(value)

    @validator("business_hours")
    def _hours(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:  # noqa: N805
        return value if value is None else _check_business_hours(value)


class GoogleCalendarStatus(BaseModel):
    connected: bool
    calendar_id: str | None = None
    connected_at: str | None = None


class TenantOut(BaseModel):
    id: int
    name: str
    slug: str
    timezone: str
    locale: str
    business_hours: dict[str, list[str]]
    default_event_minutes: int
    booking_rules: dict[str, Any]
    address: str | None
    map_url: str | None
    phone: str | None
    email: str | None
    calendar_provider: str
    google_calendar: GoogleCalendarStatus
    created_at: datetime


class ApiKeyOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(..., description="the key's first characters, to tell keys apart")
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreate(BaseModel):
    name: str = Field("default", min_length=1, max_length=100, regex=TEXT_PATTERN)

    class Config:
        extra = "forbid"


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(..., description="the API key; shown only in this response")


class TenantCreated(BaseModel):
    tenant: TenantOut
    api_key: ApiKeyCreated


# --- channel accounts --------------------------------------------------------------------------

Secret = Field(..., min_length=1, max_length=1024, description="write-only")
OptionalSecret = Field(None, min_length=1, max_length=1024, description="write-only")
_TOKEN = re.compile(TOKEN_PATTERN)
_BOT_TOKEN = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{20,150}$")


class _AccountIn(BaseModel):
    class Config:
        extra = "forbid"

    @validator("*")
    def _printable_secret(cls, value: object, field: ModelField) -> object:  # noqa: N805
        """Secrets are printable ASCII without spaces (the message never repeats the value)."""
        if isinstance(value, SecretStr):
            pattern = _BOT_TOKEN if field.name == "bot_token" else _TOKEN
            if not pattern.match(value.get_secret_value()):
                if field.name == "bot_token":
                    raise ValueError("not a bot token from @BotFather (<digits>:<35 characters>)")
                raise ValueError("must be printable ASCII without spaces")
        return value


class WhatsAppAccountIn(_AccountIn):
    channel: Literal["whatsapp"]
    phone_number_id: str = Field(..., regex=r"^[0-9]{1,64}$")
    access_token: SecretStr = Secret
    app_secret: SecretStr = Secret
    verify_token: SecretStr = Secret


class InstagramAccountIn(_AccountIn):
    channel: Literal["instagram"]
    account_id: str = Field(..., regex=r"^[0-9]{1,64}$")
    access_token: SecretStr = Secret
    app_secret: SecretStr = Secret
    verify_token: SecretStr = Secret


class TelegramAccountIn(_AccountIn):
    channel: Literal["telegram"]
    bot_token: SecretStr = Field(
        ..., min_length=1, max_length=200, description="the token from @BotFather (write-only)"
    )
    set_webhook: bool = Field(
        False, description="register the webhook with a fresh secret token (setWebhook)"
    )
    webhook_url: str | None = Field(
        None,
        max_length=2000,
        regex=HTTPS_URL_PATTERN,
        description="https://<host>/telegram_webhook (default: TELEGRAM_WEBHOOK_URL)",
    )


ChannelAccountCreate = Union[WhatsAppAccountIn, InstagramAccountIn, TelegramAccountIn]  # noqa: UP007


class ChannelAccountUpdate(_AccountIn):
    """New values for some secrets (the others are kept)."""

    access_token: SecretStr | None = OptionalSecret
    app_secret: SecretStr | None = OptionalSecret
    verify_token: SecretStr | None = OptionalSecret
    bot_token: SecretStr | None = Field(None, min_length=1, max_length=200)


class TelegramWebhookIn(_AccountIn):
    url: str | None = Field(
        None,
        max_length=2000,
        regex=HTTPS_URL_PATTERN,
        description="https://<host>/telegram_webhook (default: TELEGRAM_WEBHOOK_URL)",
    )


class ChannelAccountOut(BaseModel):
    id: int
    channel: str
    account_id: str
    secrets_set: list[str] = Field(..., description="which secrets are stored (never their values)")
    webhook_secret_set: bool
    created_at: datetime
    updated_at: datetime


class WebhookRegistered(BaseModel):
    account: ChannelAccountOut
    webhook_url: str


# --- history -------------------------------------------------------------------------------------


class ContactOut(BaseModel):
    id: int
    channel: str
    platform_user_id: str
    display_name: str | None
    locale: str | None
    created_at: datetime
    last_inbound_at: datetime | None


class MessageOut(BaseModel):
    id: int
    contact_id: int
    channel: str
    direction: str
    platform_message_id: str | None
    text: str | None
    payload: Any | None
    intent: str | None
    status: str
    error: str | None
    created_at: datetime
    sent_at: datetime | None


class ContactPage(BaseModel):
    items: list[ContactOut]
    next_cursor: str | None


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


class Transcript(BaseModel):
    contact: ContactOut
    items: list[MessageOut]
    next_cursor: str | None


class EventOut(BaseModel):
    id: int
    uid: str
    contact_id: int | None
    title: str
    location: str | None = Field(None, description="where it takes place, as the customer said")
    service_id: int | None = None
    price_cents: int | None = Field(None, description="the service's price when it was booked")
    currency: str | None = None
    start: datetime
    end: datetime
    timezone: str
    provider: str
    status: str
    link: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


class EventDetail(EventOut):
    ics_url: str
    requested_message: MessageOut | None
    confirmed_message: MessageOut | None
    messages: list[MessageOut] = Field(..., description="the booking conversation, oldest first")


# --- calendar, feeds, privacy ----------------------------------------------------------------


class CalendarStatus(BaseModel):
    provider: str
    google: GoogleCalendarStatus


class GoogleConnectStart(BaseModel):
    authorization_url: str
    expires_in: int


class FeedOut(BaseModel):
    feed_url: str


class ErasureOut(BaseModel):
    contact_id: int
    deleted_messages: int
    deleted_events: int
    tracker: dict[str, Any]


class ReadyOut(BaseModel):
    status: str
    database: str
    rasa: str | None = None
    #: Each process of READY_DEPENDENCIES: "ok" or why not.
    processes: dict[str, str] | None = None
