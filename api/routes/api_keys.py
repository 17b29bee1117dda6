"""A tenant's own API keys: list (prefixes only), create (shown once), revoke."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api import schemas
from api.deps import CurrentTenant, SessionDep
from api.routes.params import id_path
from api.serializers import api_key_out
from booking_core.db import repository as repo

router = APIRouter(tags=["api keys"])


@router.get("/api-keys", response_model=list[schemas.ApiKeyOut])
def list_keys(tenant: CurrentTenant, session: SessionDep) -> list[schemas.ApiKeyOut]:
    """The tenant's keys, revoked ones included (never the keys themselves)."""
    return [api_key_out(k) for k in repo.list_api_keys(session, tenant_id=tenant.id)]


@router.post("/api-keys", response_model=schemas.ApiKeyCreated, status_code=201)
def create_key(
    body: schemas.ApiKeyCreate, tenant: CurrentTenant, session: SessionDep
) -> schemas.ApiKeyCreated:
    """A new key; the answer is the only place it is ever shown."""
    key, secret = repo.create_api_key(session, tenant_id=tenant.id, name=body.name)
    return schemas.ApiKeyCreated(**api_key_out(key).dict(), key=secret)


@router.delete("/api-keys/{key_id}", response_model=schemas.ApiKeyOut)
def revoke_key(
    tenant: CurrentTenant, session: SessionDep, key_id: int = id_path("key id")
) -> schemas.ApiKeyOut:
    """Revoke a key (requests with it then answer 401)."""
    key = repo.revoke_api_key(session, tenant_id=tenant.id, key_id=key_id)
    if key is None:
        raise HTTPException(status_code=404, detail="API key not found")
    return api_key_out(key)
