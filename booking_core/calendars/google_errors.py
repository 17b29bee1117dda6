"""Google Calendar errors as `ProviderError`s with the right retry semantics.

Timeouts, 5xx, 429 and rate-limit 403s are retryable; a revoked or invalid credential (401,
`invalid_grant`) or a calendar the credential cannot reach becomes a `GoogleCredentialsError`,
which callers answer by flagging the tenant for its admin (`needs_reauth`).
"""

from __future__ import annotations

import json

import httplib2
from google.auth import exceptions as auth_exceptions
from googleapiclient.errors import HttpError

from booking_core.calendars.base import ProviderError

#: 403 reasons that mean "slow down" rather than "not allowed".
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
#: 403 reasons that mean the credential cannot reach the calendar: the admin must fix sharing.
ACCESS_REASONS = frozenset({"forbidden", "requiredAccessLevel", "insufficientPermissions"})


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
