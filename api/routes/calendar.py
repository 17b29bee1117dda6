"""Calendar connection: the tenant's provider, and Google Calendar's OAuth connect flow.

`POST /calendar/google/connect` (tenant key) returns Google's consent URL with a signed `state`
naming the tenant; Google redirects the browser to `GET /calendar/google/callback` (no API key:
the state is the credential), which exchanges the code for a refresh token and stores it
encrypted in `tenant.calendar_settings["google"]`. `DELETE /calendar/google` disconnects.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Query

from api import schemas
from api.core.google import TokenExchangeError, authorization_url, exchange_code
from api.core.security import sign_state, verify_state
from api.deps import ConfigDep, CurrentTenant, SecretBoxDep, SessionDep
from api.serializers import google_status
from booking_core.db import repository as repo

router = APIRouter(tags=["calendar"])
logger = logging.getLogger(__name__)


def _require_google(config: ConfigDep) -> str:
    if not config.google_configured:
        raise HTTPException(
            status_code=503,
            detail="Google OAuth not configured (GOOGLE_OAUTH_CLIENT_ID, "
            "GOOGLE_OAUTH_CLIENT_SECRET, GOOGLE_OAUTH_REDIRECT_URI)",
        )
    if not config.oauth_state_secret:
        raise HTTPException(
            status_code=503, detail="no key to sign the OAuth state (set SECRET_KEYS)"
        )
    return config.oauth_state_secret


@router.get("/calendar", response_model=schemas.CalendarStatus)
def calendar_status(tenant: CurrentTenant) -> schemas.CalendarStatus:
    """The calendar provider in use and whether Google is connected."""
    return schemas.CalendarStatus(provider=tenant.calendar_provider, google=google_status(tenant))


@router.post("/calendar/google/connect", response_model=schemas.GoogleConnectStart)
def google_connect(tenant: CurrentTenant, config: ConfigDep) -> schemas.GoogleConnectStart:
    """Start the OAuth flow: open `authorization_url` in the business owner's browser."""
    secret = _require_google(config)
    state = sign_state(
        tenant_id=tenant.id, secret=secret, ttl_seconds=config.oauth_state_ttl_seconds
    )
    return schemas.GoogleConnectStart(
        authorization_url=authorization_url(config, state=state),
        expires_in=config.oauth_state_ttl_seconds,
    )


@router.get(
    "/calendar/google/callback",
    response_model=schemas.CalendarStatus,
    responses={400: {"model": schemas.Detail}, 502: {"model": schemas.Detail}},
)
def google_callback(
    session: SessionDep,
    config: ConfigDep,
    box: SecretBoxDep,
    state: str | None = Query(None, max_length=1000),
    code: str | None = Query(None, max_length=2000),
    error: str | None = Query(None, max_length=200),
) -> schemas.CalendarStatus:
    """Google's redirect target: exchange the code and store the refresh token (encrypted)."""
    secret = _require_google(config)
    tenant_id = verify_state(state, secret=secret) if state else None
    if tenant_id is None:
        raise HTTPException(status_code=400, detail="invalid or expired state: start again")
    if error:
        safe = "".join(ch for ch in error if ch.isalnum() or ch in "_-")[:50]
        raise HTTPException(status_code=400, detail=f"authorization not granted ({safe})")
    if not code:
        raise HTTPException(status_code=400, detail="missing code")
    tenant = repo.get_tenant(session, tenant_id=tenant_id)
    if tenant is None:
        raise HTTPException(status_code=400, detail="invalid or expired state: start again")
    try:
        tokens = exchange_code(config, code=code)
    except TokenExchangeError as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from None
    repo.set_google_connection(
        session, tenant_id=tenant.id, refresh_token=tokens.refresh_token, box=box
    )
    logger.info("tenant %s connected Google Calendar", tenant.slug)
    return schemas.CalendarStatus(provider=tenant.calendar_provider, google=google_status(tenant))


@router.delete("/calendar/google", response_model=schemas.CalendarStatus)
def google_disconnect(tenant: CurrentTenant, session: SessionDep) -> schemas.CalendarStatus:
    """Forget the Google connection; bookings go to the built-in calendar again."""
    repo.clear_google_connection(session, tenant_id=tenant.id)
    return schemas.CalendarStatus(provider=tenant.calendar_provider, google=google_status(tenant))
