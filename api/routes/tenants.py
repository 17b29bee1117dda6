"""Tenants: created and listed with the admin key; a tenant reads and updates its own settings."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api import schemas
from api.deps import AdminDep, CurrentTenant, SessionDep
from api.routes.params import id_path
from api.serializers import api_key_out, tenant_out
from booking_core.db import repository as repo
from booking_core.db.repository.tenant_admin import PROFILE_FIELDS

router = APIRouter(tags=["tenants"])
admin_router = APIRouter(tags=["admin"], dependencies=[AdminDep])


@admin_router.post("/tenants", response_model=schemas.TenantCreated, status_code=201)
def create_tenant(body: schemas.TenantCreate, session: SessionDep) -> schemas.TenantCreated:
    """Onboard a business; the answer holds its first API key (shown only here)."""
    try:
        tenant = repo.create_tenant(
            session,
            name=body.name,
            slug=body.slug,
            timezone=body.timezone,
            locale=body.locale,
            business_hours=body.business_hours,
            default_event_minutes=body.default_event_minutes,
            booking_rules=body.booking_rules,
            profile={f: getattr(body, f) for f in PROFILE_FIELDS if getattr(body, f) is not None},
        )
    except repo.AlreadyExistsError:
        raise HTTPException(status_code=409, detail="slug already taken") from None
    key, secret = repo.create_api_key(session, tenant_id=tenant.id, name="default")
    created = schemas.ApiKeyCreated(**api_key_out(key).dict(), key=secret)
    return schemas.TenantCreated(tenant=tenant_out(tenant), api_key=created)


@admin_router.get("/tenants", response_model=list[schemas.TenantOut])
def list_tenants(session: SessionDep) -> list[schemas.TenantOut]:
    """Every tenant."""
    return [tenant_out(t) for t in repo.list_tenants(session)]


@admin_router.get("/tenants/{tenant_id}", response_model=schemas.TenantOut)
def get_tenant(session: SessionDep, tenant_id: int = id_path("tenant id")) -> schemas.TenantOut:
    """One tenant."""
    tenant = repo.get_tenant(session, tenant_id=tenant_id)
    if tenant is None:
        raise HTTPException(status_code=404, detail="tenant not found")
    return tenant_out(tenant)


@admin_router.post(
    "/tenants/{tenant_id}/api-keys", response_model=schemas.ApiKeyCreated, status_code=201
)
def issue_api_key(
    body: schemas.ApiKeyCreate, session: SessionDep, tenant_id: int = id_path("tenant id")
) -> schemas.ApiKeyCreated:
    """A new API key for the tenant (e.g. when it lost all of its keys)."""
    if repo.get_tenant(session, tenant_id=tenant_id) is None:
        raise HTTPException(status_code=404, detail="tenant not found")
    key, secret = repo.create_api_key(session, tenant_id=tenant_id, name=body.name)
    return schemas.ApiKeyCreated(**api_key_out(key).dict(), key=secret)


@router.get("/tenant", response_model=schemas.TenantOut)
def read_own_tenant(tenant: CurrentTenant) -> schemas.TenantOut:
    """The calling tenant's settings."""
    return tenant_out(tenant)


@router.patch("/tenant", response_model=schemas.TenantOut)
def update_own_tenant(
    body: schemas.TenantUpdate, tenant: CurrentTenant, session: SessionDep
) -> schemas.TenantOut:
    """Change name, time zone, locale, hours, default duration, calendar provider, booking
    rules, address, map link, phone or email (null clears the last four)."""
    changes = body.dict(exclude_unset=True)
    for field in ("name", "timezone", "locale", "business_hours", "default_event_minutes",
                  "booking_rules"):  # fmt: skip
        if field in changes and changes[field] is None:
            raise HTTPException(status_code=422, detail=f"{field} cannot be null")
    try:
        updated = repo.update_tenant(
            session,
            tenant_id=tenant.id,
            name=body.name,
            timezone=body.timezone,
            locale=body.locale,
            business_hours=body.business_hours,
            default_event_minutes=body.default_event_minutes,
            calendar_provider=body.calendar_provider,
            booking_rules=body.booking_rules,
            profile={f: changes[f] for f in PROFILE_FIELDS if f in changes},
        )
    except repo.NotConnectedError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    if updated is None:  # deleted meanwhile
        raise HTTPException(status_code=404, detail="tenant not found")
    return tenant_out(updated)
