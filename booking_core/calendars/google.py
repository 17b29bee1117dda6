"""Google Calendar provider (google-api-python-client, Calendar API v3).

Credentials live in `tenant.calendar_settings["google"]`, written by the admin API:

    {"refresh_token_enc": <Fernet token>, "calendar_id": "primary", "connected_at": "...",
     "send_updates": "none"}                                # OAuth user credentials, or
    {"service_account_info_enc": <Fernet token of the key JSON>, "calendar_id": "...@group...",
     "subject": "optional user for domain-wide delegation"}  # a service account

Secrets are decrypted with `booking_core.crypto.SecretBox` (SECRET_KEYS). The OAuth client id and
secret come from GOOGLE_OAUTH_CLIENT_ID / GOOGLE_OAUTH_CLIENT_SECRET, the token endpoint from
GOOGLE_OAUTH_TOKEN_URI and the API base from GOOGLE_CALENDAR_API_ENDPOINT, so tests and staging
can point both at a stand-in.

Why it is built this way:
- The service object is built once per (tenant, credential fingerprint) from the discovery
  document bundled with the library (`static_discovery=True`: no network, ~ms) and cached; the
  credentials object is cached with it so access tokens are reused until they expire.
- httplib2.Http is not thread-safe, so the service is built without a usable default transport
  and every call passes a per-thread `AuthorizedHttp` to `execute(http=...)`.
- Events are inserted with a client-chosen id, the row's uid (base32hex), so a retried insert can
  never create a second event: Google answers 409 and the existing event is fetched instead.
- Errors become `ProviderError`s: timeouts, 5xx, 429 and rate-limit 403s are retryable; a revoked or
  invalid credential (401, `invalid_grant`) or a calendar the credential cannot reach becomes a
  `GoogleCredentialsError`, which callers answer by flagging the tenant for its admin
  (`needs_reauth` in the settings). While that flag is set no request is sent at all; the admin
  API clears it by writing a fresh "google" section when the tenant reconnects.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httplib2
from google.auth import exceptions as auth_exceptions
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from booking_core.calendars.base import (
    BusyInterval,
    ProviderError,
    ProviderEvent,
    ProviderResult,
    merge_intervals,
)
from booking_core.crypto import SecretBox, SecretKeyError
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.types import require_aware

logger = logging.getLogger(__name__)

PROVIDER_NAME = "google"
CALENDAR_SCOPES = ("https://www.googleapis.com/auth/calendar",)
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
#: The discovery document's rootUrl + servicePath; `api_endpoint` replaces all of it.
DEFAULT_API_ENDPOINT = "https://www.googleapis.com/calendar/v3/"
SERVICE_PATH = "calendar/v3/"
DEFAULT_TIMEOUT_SECONDS = 8.0
SEND_UPDATES_VALUES = ("all", "externalOnly", "none")
DEFAULT_SEND_UPDATES = "none"
#: 403 reasons that mean "slow down" rather than "not allowed".
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
#: 403 reasons that mean the credential cannot reach the calendar: the admin must fix sharing.
ACCESS_REASONS = frozenset({"forbidden", "requiredAccessLevel", "insufficientPermissions"})


@dataclass(frozen=True)
class GoogleConfig:
    """Process-wide Google settings (environment), separate from each tenant's credentials."""

    client_id: str | None = None
    client_secret: str | None = None
    token_uri: str = DEFAULT_TOKEN_URI
    #: True when GOOGLE_OAUTH_TOKEN_URI was set: it then also overrides service-account key files.
    token_uri_overridden: bool = False
    api_endpoint: str = DEFAULT_API_ENDPOINT
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GoogleConfig:
        """Read GOOGLE_OAUTH_CLIENT_ID/SECRET, GOOGLE_OAUTH_TOKEN_URI,
        GOOGLE_CALENDAR_API_ENDPOINT and GOOGLE_HTTP_TIMEOUT_SECONDS."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name, "").strip()

        token_uri = get("GOOGLE_OAUTH_TOKEN_URI")
        raw_timeout = get("GOOGLE_HTTP_TIMEOUT_SECONDS")
        try:
            timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT_SECONDS
        except ValueError as exc:
            raise ValueError(
                f"GOOGLE_HTTP_TIMEOUT_SECONDS={raw_timeout!r} is not a number"
            ) from exc
        if timeout <= 0:
            raise ValueError("GOOGLE_HTTP_TIMEOUT_SECONDS must be positive")
        return cls(
            client_id=get("GOOGLE_OAUTH_CLIENT_ID") or None,
            client_secret=get("GOOGLE_OAUTH_CLIENT_SECRET") or None,
            token_uri=token_uri or DEFAULT_TOKEN_URI,
            token_uri_overridden=bool(token_uri),
            api_endpoint=normalise_endpoint(get("GOOGLE_CALENDAR_API_ENDPOINT")),
            timeout=timeout,
        )


def normalise_endpoint(value: str | None) -> str:
    """API base URL ending in "/"; a bare host (no path) gets the `calendar/v3/` service path."""
    if not value:
        return DEFAULT_API_ENDPOINT
    if not value.endswith("/"):
        value += "/"
    if urlparse(value).path in ("", "/"):
        value += SERVICE_PATH
    return value


class GoogleApiError(ProviderError):
    """A Calendar API call failed; `status`/`reason` come from Google's error body."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        reason: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after


class GoogleCredentialsError(ProviderError):
    """The tenant's Google connection is unusable (revoked, invalid, missing, no access).

    Never retryable: the tenant's admin has to reconnect. `needs_reauth` is the duck-typed marker
    the booking service looks for; `fingerprint` identifies the credential that failed, so a
    reconnect that happened meanwhile is not flagged by mistake.
    """

    needs_reauth = True

    def __init__(self, message: str, *, reason: str, fingerprint: str | None = None) -> None:
        super().__init__(message, retryable=False)
        self.reason = reason
        self.fingerprint = fingerprint


def google_section(tenant: Tenant) -> dict[str, Any]:
    """The tenant's "google" settings (an empty dict when missing)."""
    section = (tenant.calendar_settings or {}).get(PROVIDER_NAME)
    return dict(section) if isinstance(section, Mapping) else {}


def settings_fingerprint(section: Mapping[str, Any]) -> str:
    """Short hash of the stored (encrypted) credential: changes whenever the admin reconnects."""
    material = json.dumps(
        [
            section.get("refresh_token_enc"),
            section.get("service_account_info_enc"),
            section.get("subject"),
        ]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def _rfc3339(value: datetime, zone: str | None = None) -> str:
    value = require_aware(value, "datetime")
    if zone is None:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def _parse_when(when: Mapping[str, Any], fallback_zone: str) -> datetime:
    """Google's {"dateTime": ..., "timeZone": ...} or all-day {"date": ...} as aware UTC."""
    if when.get("dateTime"):
        raw = str(when["dateTime"])
        if raw.endswith(("Z", "z")):
            raw = raw[:-1] + "+00:00"
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(when.get("timeZone") or fallback_zone))
        return value.astimezone(timezone.utc)
    zone_name = str(when.get("timeZone") or fallback_zone)
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    day = date.fromisoformat(str(when["date"]))
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def event_body(event: CalendarEvent) -> dict[str, Any]:
    """Fields we own on the Google event: summary, start/end in the event's zone and, when the
    row has one, location (left out otherwise, so a patch keeps a place set in Google)."""
    body: dict[str, Any] = {
        "summary": event.title,
        "start": {"dateTime": _rfc3339(event.start, event.timezone), "timeZone": event.timezone},
        "end": {"dateTime": _rfc3339(event.end, event.timezone), "timeZone": event.timezone},
    }
    if event.location:
        body["location"] = event.location
    return body


def _matches(payload: Mapping[str, Any], event: CalendarEvent) -> bool:
    """True when a Google event already shows the row's title, times and location (if any)."""
    try:
        start = _parse_when(payload.get("start") or {}, event.timezone)
        end = _parse_when(payload.get("end") or {}, event.timezone)
    except (KeyError, ValueError):
        return False
    if event.location and payload.get("location") != event.location:
        return False
    return (payload.get("summary"), start, end) == (event.title, event.start, event.end)


def insert_body(event: CalendarEvent) -> dict[str, Any]:
    """events.insert body: the row's uid is the client-chosen event id (idempotent retries)."""
    if not event.uid:
        raise ValueError("event has no uid yet: flush it before calling the provider")
    return {"id": event.uid, **event_body(event)}


def _error_details(exc: HttpError) -> tuple[int, str | None, str]:
    status = int(getattr(exc.resp, "status", 0) or 0)
    reason: str | None = None
    message = ""
    try:
        payload = json.loads(exc.content.decode("utf-8") if exc.content else "{}")
        error = payload.get("error", {}) if isinstance(payload, dict) else {}
        if isinstance(error, dict):
            message = str(error.get("message") or "")
            errors = error.get("errors") or []
            if errors and isinstance(errors[0], dict):
                reason = errors[0].get("reason")
            reason = reason or error.get("status")
    except (ValueError, AttributeError):
        pass
    return status, reason, message or str(exc.reason or "")


def _retry_after(exc: HttpError) -> float | None:
    value = exc.resp.get("retry-after") if exc.resp is not None else None
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def map_error(exc: BaseException, *, fingerprint: str | None = None) -> ProviderError:
    """Turn a library/transport exception into a ProviderError with the right retry semantics."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, HttpError):
        status, reason, message = _error_details(exc)
        text = f"Google Calendar API {status} {reason or ''}: {message}".replace("  ", " ")
        if status == 401:
            return GoogleCredentialsError(
                text, reason="unauthorized (token revoked or invalid)", fingerprint=fingerprint
            )
        if status == 429 or status >= 500 or (status == 403 and reason in RATE_LIMIT_REASONS):
            return GoogleApiError(
                text, retryable=True, status=status, reason=reason, retry_after=_retry_after(exc)
            )
        if status == 403 and reason in ACCESS_REASONS:
            return GoogleCredentialsError(
                text, reason=f"no access to the calendar ({reason})", fingerprint=fingerprint
            )
        return GoogleApiError(text, retryable=False, status=status, reason=reason)
    if isinstance(exc, auth_exceptions.RefreshError):
        if getattr(exc, "retryable", False):
            return GoogleApiError(f"token refresh failed: {exc}", retryable=True)
        detail = str(exc)
        reason = "invalid_grant (refresh token revoked or expired)"
        if "invalid_grant" not in detail:
            reason = f"token refresh refused: {detail[:200]}"
        return GoogleCredentialsError(
            f"Google refused the credentials: {detail[:300]}",
            reason=reason,
            fingerprint=fingerprint,
        )
    if isinstance(exc, auth_exceptions.TransportError | httplib2.HttpLib2Error | OSError):
        # socket.timeout/TimeoutError, refused connections and DNS errors are all OSErrors.
        return GoogleApiError(f"network error talking to Google: {exc!r}", retryable=True)
    return GoogleApiError(f"unexpected Google client error: {exc!r}", retryable=False)


class _NoSharedHttp:
    """Default transport of the cached service: refuses, so no call shares an httplib2.Http."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("pass a per-thread http to execute(http=...)")


@dataclass
class _Client:
    """A built service with its credentials and one AuthorizedHttp per thread."""

    service: Any
    credentials: Any
    fingerprint: str
    calendar_id: str
    local: threading.local


class GoogleCalendarProvider:
    """Calendar provider for tenants whose `calendar_provider` is "google"."""

    name = PROVIDER_NAME

    def __init__(
        self,
        *,
        config: GoogleConfig | None = None,
        http_factory: Callable[[], Any] | None = None,
        secret_box: SecretBox | None = None,
        max_cached: int = 256,
    ) -> None:
        """`config` None reads the environment on every call (so changes apply without restart);
        `http_factory` makes the raw transport per thread (tests pass an HttpMockSequence)."""
        self._config = config
        self._http_factory = http_factory
        self._secret_box = secret_box
        self._max_cached = max_cached
        self._clients: OrderedDict[tuple[int, str], _Client] = OrderedDict()
        self._lock = threading.Lock()

    # --- credentials and clients -------------------------------------------------------------

    def config(self) -> GoogleConfig:
        """The configuration in force for the next call."""
        return self._config or GoogleConfig.from_env()

    def _box(self) -> SecretBox:
        return self._secret_box or SecretBox.from_env()

    def _credentials(self, section: Mapping[str, Any], config: GoogleConfig, fp: str) -> Any:
        try:
            if section.get("service_account_info_enc"):
                info = json.loads(self._box().decrypt(str(section["service_account_info_enc"])))
                if config.token_uri_overridden:
                    info["token_uri"] = config.token_uri
                creds = service_account.Credentials.from_service_account_info(
                    info, scopes=list(CALENDAR_SCOPES)
                )
                if section.get("subject"):
                    creds = creds.with_subject(str(section["subject"]))
                return creds
            if section.get("refresh_token_enc"):
                if not (config.client_id and config.client_secret):
                    raise ProviderError(
                        "GOOGLE_OAUTH_CLIENT_ID and GOOGLE_OAUTH_CLIENT_SECRET must be set to use "
                        "tenants' Google refresh tokens",
                        retryable=False,
                    )
                # No scopes: a refresh asks for the scopes the user granted, whatever they were.
                return user_credentials.Credentials(
                    token=None,
                    refresh_token=self._box().decrypt(str(section["refresh_token_enc"])),
                    client_id=config.client_id,
                    client_secret=config.client_secret,
                    token_uri=config.token_uri,
                )
        except SecretKeyError as exc:
            raise ProviderError(f"cannot decrypt the Google credential: {exc}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise GoogleCredentialsError(
                f"stored Google service account key is invalid: {exc}",
                reason="invalid service account key",
                fingerprint=fp,
            ) from exc
        raise GoogleCredentialsError(
            "Google Calendar is selected but not connected", reason="not connected", fingerprint=fp
        )

    def _client(self, tenant: Tenant) -> _Client:
        section = google_section(tenant)
        fp = settings_fingerprint(section)
        if section.get("needs_reauth"):
            raise GoogleCredentialsError(
                "the Google Calendar connection needs to be renewed by the business's admin: "
                f"{section.get('reauth_reason') or 'credentials refused'}",
                reason=str(section.get("reauth_reason") or "needs re-authorisation"),
                fingerprint=fp,
            )
        config = self.config()
        key_material = json.dumps(
            [fp, config.client_id, config.client_secret, config.token_uri, config.api_endpoint]
        )
        key = (tenant.id, hashlib.sha256(key_material.encode("utf-8")).hexdigest())
        calendar_id = str(section.get("calendar_id") or "primary")
        with self._lock:
            client = self._clients.get(key)
            if client is not None:
                self._clients.move_to_end(key)
                if client.calendar_id == calendar_id:
                    return client
        credentials = self._credentials(section, config, fp)
        service = build(
            "calendar",
            "v3",
            http=_NoSharedHttp(),
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": config.api_endpoint},
        )
        client = _Client(service, credentials, fp, calendar_id, threading.local())
        with self._lock:
            # Drop the tenant's stale clients (older credentials) and keep the cache bounded.
            for stale in [k for k in self._clients if k[0] == tenant.id and k != key]:
                del self._clients[stale]
            self._clients[key] = client
            while len(self._clients) > self._max_cached:
                self._clients.popitem(last=False)
        return client

    def _http(self, client: _Client) -> AuthorizedHttp:
        authorized = getattr(client.local, "http", None)
        if authorized is None:
            timeout = self.config().timeout
            raw = self._http_factory() if self._http_factory else httplib2.Http(timeout=timeout)
            authorized = AuthorizedHttp(client.credentials, http=raw)
            client.local.http = authorized
        return authorized

    def _execute(self, client: _Client, request: Any) -> Any:
        try:
            return request.execute(http=self._http(client), num_retries=0)
        except Exception as exc:  # mapped: the caller only ever sees ProviderError
            raise map_error(exc, fingerprint=client.fingerprint) from exc

    @staticmethod
    def _send_updates(tenant: Tenant) -> str:
        value = google_section(tenant).get("send_updates") or DEFAULT_SEND_UPDATES
        return value if value in SEND_UPDATES_VALUES else DEFAULT_SEND_UPDATES

    @staticmethod
    def _result(payload: Mapping[str, Any]) -> ProviderResult:
        return ProviderResult(
            provider_event_id=str(payload["id"]), link=str(payload.get("htmlLink") or "")
        )

    # --- CalendarProvider ---------------------------------------------------------------------

    def create_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        """events.insert with id = uid; a 409 (earlier attempt got through) fetches that event."""
        client = self._client(tenant)
        events = client.service.events()
        body = insert_body(event)
        send_updates = self._send_updates(tenant)
        try:
            payload = self._execute(
                client,
                events.insert(calendarId=client.calendar_id, body=body, sendUpdates=send_updates),
            )
        except GoogleApiError as exc:
            if exc.status != 409:
                raise
            existing = self._execute(
                client, events.get(calendarId=client.calendar_id, eventId=event.uid)
            )
            if existing.get("status") != "cancelled" and _matches(existing, event):
                logger.info("event %s already existed at Google: reusing it", event.uid)
                return self._result(existing)
            # An earlier attempt wrote other times (the row changed since) or the event was
            # deleted at Google (ids of deleted events stay taken): bring it to the row's state.
            payload = self._execute(
                client,
                events.patch(
                    calendarId=client.calendar_id,
                    eventId=event.uid,
                    body={**event_body(event), "status": "confirmed"},
                    sendUpdates=send_updates,
                ),
            )
        return self._result(payload)

    def update_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        """events.patch of summary/start/end (and location); a missing or deleted event is a
        permanent error."""
        client = self._client(tenant)
        event_id = event.provider_event_id or event.uid
        request = client.service.events().patch(
            calendarId=client.calendar_id,
            eventId=event_id,
            body=event_body(event),
            sendUpdates=self._send_updates(tenant),
        )
        try:
            payload = self._execute(client, request)
        except GoogleApiError as exc:
            if exc.status in (404, 410):
                raise GoogleApiError(
                    f"event {event_id} no longer exists in Google Calendar",
                    retryable=False,
                    status=exc.status,
                    reason="gone",
                ) from exc
            raise
        if payload.get("status") == "cancelled":
            raise GoogleApiError(
                f"event {event_id} was deleted in Google Calendar",
                retryable=False,
                status=410,
                reason="gone",
            )
        return self._result(payload)

    def delete_event(self, tenant: Tenant, event: CalendarEvent) -> None:
        """events.delete; an event that is already gone counts as deleted."""
        client = self._client(tenant)
        request = client.service.events().delete(
            calendarId=client.calendar_id,
            eventId=event.provider_event_id or event.uid,
            sendUpdates=self._send_updates(tenant),
        )
        try:
            self._execute(client, request)
        except GoogleApiError as exc:
            if exc.status not in (404, 410):
                raise

    def get_event(self, tenant: Tenant, provider_event_id: str) -> ProviderEvent | None:
        """events.get; None when Google does not know the id (deleted ones come back cancelled)."""
        client = self._client(tenant)
        request = client.service.events().get(
            calendarId=client.calendar_id, eventId=provider_event_id
        )
        try:
            payload = self._execute(client, request)
        except GoogleApiError as exc:
            if exc.status in (404, 410):
                return None
            raise
        return ProviderEvent(
            provider_event_id=str(payload["id"]),
            title=str(payload.get("summary") or ""),
            start=_parse_when(payload.get("start") or {}, tenant.timezone),
            end=_parse_when(payload.get("end") or {}, tenant.timezone),
            status=str(payload.get("status") or "confirmed"),
            link=payload.get("htmlLink"),
            location=payload.get("location") or None,
        )

    def free_busy(self, tenant: Tenant, start: datetime, end: datetime) -> list[BusyInterval]:
        """freebusy.query for the tenant's calendar: busy periods, clipped and merged (UTC)."""
        start = require_aware(start, "start")
        end = require_aware(end, "end")
        client = self._client(tenant)
        body = {
            "timeMin": _rfc3339(start),
            "timeMax": _rfc3339(end),
            "timeZone": "UTC",
            "items": [{"id": client.calendar_id}],
        }
        payload = self._execute(client, client.service.freebusy().query(body=body))
        calendars = payload.get("calendars") or {}
        entry = calendars.get(client.calendar_id)
        if entry is None and len(calendars) == 1:
            entry = next(iter(calendars.values()))
        if entry is None:
            raise GoogleApiError("free/busy answer has no entry for the calendar", retryable=True)
        errors = entry.get("errors") or []
        if errors:
            reason = str(errors[0].get("reason") or "unknown")
            if reason in ("notFound", *ACCESS_REASONS):
                raise GoogleCredentialsError(
                    f"free/busy of calendar {client.calendar_id!r} refused: {reason}",
                    reason=f"no access to calendar {client.calendar_id!r} ({reason})",
                    fingerprint=client.fingerprint,
                )
            raise GoogleApiError(f"free/busy failed: {reason}", retryable=True, reason=reason)
        intervals = [
            (
                _parse_when({"dateTime": b["start"]}, "UTC"),
                _parse_when({"dateTime": b["end"]}, "UTC"),
            )
            for b in entry.get("busy") or []
        ]
        return merge_intervals(intervals, start, end)


_default_provider: GoogleCalendarProvider | None = None
_default_lock = threading.Lock()


def default_provider() -> GoogleCalendarProvider:
    """The process-wide provider (one service cache shared by every thread)."""
    global _default_provider
    with _default_lock:
        if _default_provider is None:
            _default_provider = GoogleCalendarProvider()
        return _default_provider


def _factory(tenant: Tenant, database_url: str | None) -> GoogleCalendarProvider:
    return default_provider()


def register() -> None:
    """Make "google" a valid `tenant.calendar_provider` (idempotent)."""
    from booking_core.calendars.registry import register_provider

    register_provider(PROVIDER_NAME, _factory)


register()
