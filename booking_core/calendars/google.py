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
- Errors become `ProviderError`s (`google_errors`): timeouts, 5xx, 429 and rate-limit 403s are
  retryable; a revoked or invalid credential (401, `invalid_grant`) or a calendar the credential
  cannot reach becomes a `GoogleCredentialsError`, which callers answer by flagging the tenant
  for its admin (`needs_reauth` in the settings). While that flag is set no request is sent at
  all; the admin API clears it by writing a fresh "google" section when the tenant reconnects.
- Configuration and the stored settings are in `google_config` (no Google library), event
  bodies and Google's times in `google_events`. The registry (`calendars.registry`) imports
  this module the first time a tenant uses Google.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httplib2
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build

from booking_core.calendars.base import (
    BusyInterval,
    ProviderError,
    ProviderEvent,
    ProviderResult,
    merge_intervals,
)
from booking_core.calendars.google_config import (
    CALENDAR_SCOPES,
    DEFAULT_SEND_UPDATES,
    PROVIDER_NAME,
    SEND_UPDATES_VALUES,
    GoogleConfig,
    google_section,
    settings_fingerprint,
)
from booking_core.calendars.google_errors import (
    ACCESS_REASONS,
    GoogleApiError,
    GoogleCredentialsError,
    map_error,
)
from booking_core.calendars.google_events import (
    event_body,
    insert_body,
    matches_row,
    parse_when,
    rfc3339,
)
from booking_core.crypto import SecretBox, SecretKeyError
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.types import require_aware

logger = logging.getLogger(__name__)


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
            if existing.get("status") != "cancelled" and matches_row(existing, event):
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
            start=parse_when(payload.get("start") or {}, tenant.timezone),
            end=parse_when(payload.get("end") or {}, tenant.timezone),
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
            "timeMin": rfc3339(start),
            "timeMax": rfc3339(end),
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
                parse_when({"dateTime": b["start"]}, "UTC"),
                parse_when({"dateTime": b["end"]}, "UTC"),
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
