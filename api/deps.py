"""Request dependencies (FastAPI full-stack template style: `SessionDep`, `CurrentTenant`, ...).

Authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`. Admin routes take the admin
key (ADMIN_API_KEY, compared in constant time); tenant routes take one of the tenant's API keys
(looked up by SHA-256) and act on that tenant only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.core.config import ApiConfig
from api.core.security import admin_key_matches
from booking_core.crypto import SecretBox, SecretKeyError
from booking_core.db.models import Tenant
from booking_core.db.repository import get_api_key_by_secret, get_tenant
from booking_core.db.session import session_scope

bearer_scheme = HTTPBearer(auto_error=False, description="an API key as a bearer token")
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key")

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}


def get_database_url(request: Request) -> str | None:
    """The URL `create_app(database_url=...)` was given, or None for the settings default."""
    return getattr(request.app.state, "database_url", None)


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, committed when the handler returns, rolled back if it raises."""
    with session_scope(get_database_url(request)) as session:
        yield session


def get_config(request: Request) -> ApiConfig:
    """The config `create_app(config=...)` was given, else the environment's (read per request)."""
    config = getattr(request.app.state, "config", None)
    return config if isinstance(config, ApiConfig) else ApiConfig.from_env()


def get_secret_box() -> SecretBox:
    """The Fernet keys from SECRET_KEYS; 503 when they are missing or malformed."""
    try:
        return SecretBox.from_env()
    except SecretKeyError:
        raise HTTPException(
            status_code=503, detail="SECRET_KEYS not configured: cannot store secrets"
        ) from None


SessionDep = Annotated[Session, Depends(get_db)]
DatabaseUrlDep = Annotated["str | None", Depends(get_database_url)]
ConfigDep = Annotated[ApiConfig, Depends(get_config)]
SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]


def get_credential(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> str | None:
    """The presented key: the bearer token, else the X-API-Key header."""
    if bearer is not None and bearer.credentials:
        return bearer.credentials.strip()
    if api_key:
        return api_key.strip()
    return None


CredentialDep = Annotated["str | None", Depends(get_credential)]


def require_admin(credential: CredentialDep, config: ConfigDep) -> None:
    """Admin routes: 503 without ADMIN_API_KEY, 401 without a key, 403 with another key."""
    if not config.admin_api_key:
        raise HTTPException(status_code=503, detail="admin key not configured")
    if not credential:
        raise HTTPException(
            status_code=401, detail="missing API key", headers=_UNAUTHORIZED_HEADERS
        )
    if not admin_key_matches(credential, config.admin_api_key):
        raise HTTPException(status_code=403, detail="admin key required")


def get_current_tenant(credential: CredentialDep, session: SessionDep) -> Tenant:
    """The tenant owning the presented API key; 401 for a missing, unknown or revoked key."""
    if not credential:
        raise HTTPException(
            status_code=401, detail="missing API key", headers=_UNAUTHORIZED_HEADERS
        )
    key = get_api_key_by_secret(session, secret=credential) if credential.isascii() else None
    tenant = get_tenant(session, tenant_id=key.tenant_id) if key is not None else None
    if tenant is None:
        raise HTTPException(
            status_code=401, detail="invalid API key", headers=_UNAUTHORIZED_HEADERS
        )
    return tenant


AdminDep = Depends(require_admin)
CurrentTenant = Annotated[Tenant, Depends(get_current_tenant)]
