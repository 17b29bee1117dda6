"""Calendar connection: the tenant's provider, and Google Calendar's OAuth connect flow.

`POST /calendar/google/connect` (tenant key) returns Google's consent URL with a signed `state`
naming the tenant, whose nonce is recorded (`oauth_states`); Google redirects the browser to
`GET /calendar/google/callback` (no API key: the state is the credential, good for one use),
which exchanges the code for a refresh token and stores it encrypted in
`tenant.calendar_settings["google"]`. `DELETE /calendar/google` disconnects.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Query

from api import schemas
from api.core.google import TokenExchangeError, authorization_url, exchange_code
from api.core.security import SignedState, issue_state, read_state
from api.deps import ConfigDep, CurrentTenant, DatabaseUrlDep, SecretBoxDep, SessionDep
from api.serializers import google_status
from booking_core.db import repository as repo
from booking_core.db.session import session_scope

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
def google_connect(
    tenant: CurrentTenant, session: SessionDep, config: ConfigDep
) -> schemas.GoogleConnectStart:
    """Start the OAuth flow: open `authorization_url` in the business owner's browser (once:
    its state works for one callback, and a newer connect replaces it)."""
    secret = _require_google(config)
    state = issue_state(
        tenant_id=tenant.id, secret=secret, ttl_seconds=config.oauth_state_ttl_seconds
    )
    repo.issue_oauth_state(
        session, tenant_id=tenant.id, nonce=state.nonce, expires_at=state.expires_at
    )
    return schemas.GoogleConnectStart(
        authorization_url=authorization_url(config, state=state.value),
        expires_in=config.oauth_state_ttl_seconds,
    )


_REFUSED = {
    "already_used": (409, "this authorization link was already used: start again"),
    "expired": (400, "invalid or expired state: start again"),
    "unknown": (
        400,
        "this authorization link is no longer valid (a newer one replaced it): start again",
    ),
}


def _spend_state(database_url: str | None, claims: SignedState) -> None:
    """Spend the state in its own committed transaction, before anything else happens: a
    replay then never reaches Google's token endpoint, and no database lock is held while the
    code is exchanged. A failed exchange leaves the state spent: the owner connects again."""
    with session_scope(database_url) as session:
        outcome = repo.consume_oauth_state(session, tenant_id=claims.tenant_id, nonce=claims.nonce)
    if outcome != "accepted":
        status, detail = _REFUSED[outcome]
        raise HTTPException(status_code=status, detail=detail)


@router.get(
    "/calendar/google/callback",
    response_model=schemas.CalendarStatus,
    responses={
        400: {"model": schemas.Detail},
        409: {"model": schemas.Detail, "description": "the state was already used"},
        502: {"model": schemas.Detail},
    },
)
def google_callback(
    database_url: DatabaseUrlDep,
    config: ConfigDep,
    box: SecretBoxDep,
    state: str | None = Query(None, max_length=1000),
    code: str | None = Query(None, max_length=2000),
    error: str | None = Query(None, max_length=200),
) -> schemas.CalendarStatus:
    """Google's redirect target: exchange the code and store the refresh token (encrypted).

    A state is spent on its first arrival, whatever follows (granted or not): the same
    callback URL twice, or a state a newer connect replaced, is refused and changes nothing.
    """
    secret = _require_google(config)
    claims = read_state(state, secret=secret) if state else None
    if claims is None:
        raise HTTPException(status_code=400, detail="invalid or expired state: start again")
    _spend_state(database_url, claims)
    if error:
        safe = "".join(ch for ch in error if ch.isalnum() or ch in "_-")[:50]
        raise HTTPException(status_code=400, detail=f"authorization not granted ({safe})")
    if not code:
        raise HTTPException(status_code=400, detail="missing code")
    try:
        tokens = exchange_code(config, code=code)
    except TokenExchangeError as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from None
    with session_scope(database_url) as session:
        tenant = repo.set_google_connection(
            session, tenant_id=claims.tenant_id, refresh_token=tokens.refresh_token, box=box
        )
    if tenant is None:
        raise HTTPException(status_code=400, detail="invalid or expired state: start again")
    logger.info("tenant %s connected Google Calendar", tenant.slug)
    return schemas.CalendarStatus(provider=tenant.calendar_provider, google=google_status(tenant))


@router.delete("/calendar/google", response_model=schemas.CalendarStatus)
def google_disconnect(tenant: CurrentTenant, session: SessionDep) -> schemas.CalendarStatus:
    """Forget the Google connection; bookings go to the built-in calendar again."""
    repo.clear_google_connection(session, tenant_id=tenant.id)
    return schemas.CalendarStatus(provider=tenant.calendar_provider, google=google_status(tenant))
