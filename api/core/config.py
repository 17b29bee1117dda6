"""Admin-API configuration from the environment, read per request (cheap), so a changed
environment (tests, a reloaded `.env`) takes effect without a restart.

ADMIN_API_KEY: the admin key (tenant creation, key issuing); unset = admin routes answer 503.
GOOGLE_OAUTH_CLIENT_ID / GOOGLE_OAUTH_CLIENT_SECRET / GOOGLE_OAUTH_REDIRECT_URI: the OAuth client
    (a "Web application" client whose redirect URI is this API's
    /api/v1/calendar/google/callback); GOOGLE_OAUTH_AUTH_URI and GOOGLE_OAUTH_TOKEN_URI default
    to Google's endpoints.
OAUTH_STATE_SECRET: HMAC key of the OAuth `state` (default: the first SECRET_KEYS key).
RASA_URL: the Rasa server (readiness and tracker erasure); RASA_AUTH_TOKEN: its --auth-token
    (RASA_TOKEN, the older name, is read when it is unset).
TRACKER_STORE_URL: SQLAlchemy URL of Rasa's SQL tracker store (table `events`), for erasure.
TELEGRAM_API_URL: the Bot API base URL; TELEGRAM_WEBHOOK_URL: the public
    https://<host>/telegram_webhook registered for tenants' bots when none is given.
WHATSAPP_API_URL / INSTAGRAM_API_URL: the Graph API base URLs (the connectors' own), where a
    registered account's token is checked.
WHATSAPP_PHONE_NUMBER_ID, INSTAGRAM_PAGE_ID, TELEGRAM_BOT_TOKEN (its bot id only): the default
    tenant's accounts (credentials.yml), which no tenant may register.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from api.core.telegram import bot_id
from booking_core.crypto import ENV_VAR as SECRET_KEYS_VAR
from connectors.instagram.api import DEFAULT_API_URL as DEFAULT_INSTAGRAM_API_URL
from connectors.whatsapp.api import DEFAULT_API_URL as DEFAULT_WHATSAPP_API_URL

DEFAULT_GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/v2/auth"
DEFAULT_GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
GOOGLE_CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"


@dataclass(frozen=True, repr=False)
class ApiConfig:
    """Settings of the admin API (secrets included, hence no repr)."""

    admin_api_key: str | None = None
    google_client_id: str | None = None
    google_client_secret: str | None = None
    google_redirect_uri: str | None = None
    google_auth_uri: str = DEFAULT_GOOGLE_AUTH_URI
    google_token_uri: str = DEFAULT_GOOGLE_TOKEN_URI
    oauth_state_secret: str | None = None
    oauth_state_ttl_seconds: int = 600
    rasa_url: str | None = None
    rasa_token: str | None = None
    tracker_store_url: str | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    telegram_webhook_url: str | None = None
    whatsapp_api_url: str = DEFAULT_WHATSAPP_API_URL
    instagram_api_url: str = DEFAULT_INSTAGRAM_API_URL
    #: (channel, platform id) of the default tenant's accounts from the environment.
    environment_accounts: tuple[tuple[str, str], ...] = ()
    #: Timeout of calls to Google, Rasa and Telegram, in seconds.
    http_timeout: float = 10.0
    #: (name, URL) of the processes `/ready` checks (READY_DEPENDENCIES="name=url,..."): token-free
    #: health URLs (Rasa's `/`, the action server's and the ingest process's `/health`).
    ready_dependencies: tuple[tuple[str, str], ...] = ()

    def __repr__(self) -> str:
        return "ApiConfig(<redacted>)"

    @property
    def google_configured(self) -> bool:
        """Whether the OAuth client is fully configured."""
        return bool(
            self.google_client_id and self.google_client_secret and self.google_redirect_uri
        )

    def environment_account(self, channel: str) -> str | None:
        """The platform id of the default tenant's `channel` account from the environment."""
        return next((ident for name, ident in self.environment_accounts if name == channel), None)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiConfig:
        """Read the variables above (empty values count as unset)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        state_secret = get("OAUTH_STATE_SECRET")
        if state_secret is None:
            keys = [k.strip() for k in env.get(SECRET_KEYS_VAR, "").split(",") if k.strip()]
            state_secret = keys[0] if keys else None
        return cls(
            admin_api_key=get("ADMIN_API_KEY"),
            google_client_id=get("GOOGLE_OAUTH_CLIENT_ID"),
            google_client_secret=get("GOOGLE_OAUTH_CLIENT_SECRET"),
            google_redirect_uri=get("GOOGLE_OAUTH_REDIRECT_URI"),
            google_auth_uri=get("GOOGLE_OAUTH_AUTH_URI") or DEFAULT_GOOGLE_AUTH_URI,
            google_token_uri=get("GOOGLE_OAUTH_TOKEN_URI") or DEFAULT_GOOGLE_TOKEN_URI,
            oauth_state_secret=state_secret,
            rasa_url=(get("RASA_URL") or "").rstrip("/") or None,
            rasa_token=get("RASA_AUTH_TOKEN") or get("RASA_TOKEN"),
            tracker_store_url=get("TRACKER_STORE_URL"),
            telegram_api_url=(get("TELEGRAM_API_URL") or DEFAULT_TELEGRAM_API_URL).rstrip("/"),
            telegram_webhook_url=get("TELEGRAM_WEBHOOK_URL"),
            whatsapp_api_url=(get("WHATSAPP_API_URL") or DEFAULT_WHATSAPP_API_URL).rstrip("/"),
            instagram_api_url=(get("INSTAGRAM_API_URL") or DEFAULT_INSTAGRAM_API_URL).rstrip("/"),
            ready_dependencies=tuple(
                (name.strip(), url.strip())
                for name, sep, url in (
                    item.partition("=") for item in env.get("READY_DEPENDENCIES", "").split(",")
                )
                if sep and name.strip() and url.strip()
            ),
            environment_accounts=tuple(
                (channel, ident)
                for channel, ident in (
                    ("whatsapp", get("WHATSAPP_PHONE_NUMBER_ID")),
                    ("instagram", get("INSTAGRAM_PAGE_ID")),
                    ("telegram", bot_id(get("TELEGRAM_BOT_TOKEN") or "") or None),
                )
                if ident
            ),
        )
