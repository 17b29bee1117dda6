"""Google OAuth 2.0 for the Calendar connection: the authorization URL and the code exchange."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import requests

from api.core.config import GOOGLE_CALENDAR_SCOPE, ApiConfig

logger = logging.getLogger(__name__)


class TokenExchangeError(RuntimeError):
    """The token endpoint refused the code or could not be reached; `status` is for the client."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, repr=False)
class GoogleTokens:
    """The part of the token response that is kept."""

    refresh_token: str
    scope: str | None

    def __repr__(self) -> str:
        return "GoogleTokens(<redacted>)"


def authorization_url(config: ApiConfig, *, state: str) -> str:
    """The consent-screen URL (offline access so a refresh token is issued, consent forced so
    a reconnect issues a new one)."""
    query = {
        "client_id": config.google_client_id or "",
        "redirect_uri": config.google_redirect_uri or "",
        "response_type": "code",
        "scope": GOOGLE_CALENDAR_SCOPE,
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
        "state": state,
    }
    separator = "&" if "?" in config.google_auth_uri else "?"
    return f"{config.google_auth_uri}{separator}{urlencode(query)}"


def exchange_code(config: ApiConfig, *, code: str) -> GoogleTokens:
    """POST the code to the token endpoint; the refresh token of the answer."""
    try:
        response = requests.post(
            config.google_token_uri,
            data={
                "code": code,
                "client_id": config.google_client_id,
                "client_secret": config.google_client_secret,
                "redirect_uri": config.google_redirect_uri,
                "grant_type": "authorization_code",
            },
            headers={"Accept": "application/json"},
            timeout=config.http_timeout,
        )
    except requests.RequestException as exc:
        logger.warning("Google token endpoint unreachable: %s", type(exc).__name__)
        raise TokenExchangeError("Google token endpoint unreachable", status=502) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise TokenExchangeError(
            f"Google token endpoint answered HTTP {response.status_code} without JSON", status=502
        )
    if response.status_code != 200:
        error = str(body.get("error") or f"HTTP {response.status_code}")[:100]
        status = 400 if response.status_code in (400, 401) else 502
        raise TokenExchangeError(f"Google refused the authorization code: {error}", status=status)
    refresh_token = body.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        raise TokenExchangeError(
            "Google returned no refresh token: remove the app's access in the Google account and "
            "connect again",
            status=502,
        )
    scope = body.get("scope") if isinstance(body.get("scope"), str) else None
    if scope is not None and GOOGLE_CALENDAR_SCOPE not in scope.split():
        raise TokenExchangeError("calendar access was not granted", status=400)
    return GoogleTokens(refresh_token=refresh_token, scope=scope)
