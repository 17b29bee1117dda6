"""Google Calendar settings that need no Google library: the process-wide configuration from
the environment and a tenant's stored "google" section (see `booking_core.calendars.google`).

Kept apart from the provider so code that only reads a tenant's settings (the admin's
re-authorisation flag, `booking_core.tenancy`) never imports google-api-python-client.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from booking_core.db.models import Tenant

PROVIDER_NAME = "google"
CALENDAR_SCOPES = ("https://www.googleapis.com/auth/calendar",)
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
#: The discovery document's rootUrl + servicePath; `api_endpoint` replaces all of it.
DEFAULT_API_ENDPOINT = "https://www.googleapis.com/calendar/v3/"
SERVICE_PATH = "calendar/v3/"
DEFAULT_TIMEOUT_SECONDS = 8.0
SEND_UPDATES_VALUES = ("all", "externalOnly", "none")
DEFAULT_SEND_UPDATES = "none"


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
