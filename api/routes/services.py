"""A tenant's services: what its customers can book, with durations, prices, buffers and their
own hours and rules. Every route is scoped to the calling tenant's key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response

from api import service_schemas as schemas
from api.deps import CurrentTenant, SessionDep
from api.routes.params import id_path
from booking_core.db import repository as repo
from booking_core.db.service_model import Service

router = APIRouter(tags=["services"])

#: Fields a PATCH may not set to null (the rest mean "the tenant's" or "none" when null).
NOT_NULL = ("name", "duration_minutes", "synonyms", "duration_flexible", "active", "position",
            "booking_rules")  # fmt: skip


def service_out(service: Service) -> schemas.ServiceOut:
    return schemas.ServiceOut(
        **{name: getattr(service, name) for name in schemas.ServiceOut.__fields__}
    )


def _or_404(session: SessionDep, tenant_id: int, service_id: int) -> Service:
    service = repo.get_service(session, tenant_id=tenant_id, service_id=service_id)
    if service is None:
        raise HTTPException(status_code=404, detail="service not found")
    return service


def _conflict(exc: repo.ServiceNameTakenError) -> HTTPException:
    return HTTPException(status_code=409, detail=str(exc))


@router.get("/services", response_model=list[schemas.ServiceOut])
def list_services(
    tenant: CurrentTenant,
    session: SessionDep,
    active: bool | None = Query(None, description="only active (true) or inactive (false) ones"),
) -> list[schemas.ServiceOut]:
    """The tenant's services in display order."""
    services = repo.list_services(session, tenant_id=tenant.id)
    return [service_out(s) for s in services if active is None or s.active == active]


@router.post("/services", response_model=schemas.ServiceOut, status_code=201)
def create_service(
    body: schemas.ServiceCreate, tenant: CurrentTenant, session: SessionDep
) -> schemas.ServiceOut:
    """Add a service (409 when the tenant has one of that name, compared case-insensitively)."""
    fields: dict[str, Any] = {k: v for k, v in body.dict().items() if v is not None}
    name, minutes = fields.pop("name"), fields.pop("duration_minutes")
    try:
        service = repo.create_service(
            session, tenant_id=tenant.id, name=name, duration_minutes=minutes, **fields
        )
    except repo.ServiceNameTakenError as exc:
        raise _conflict(exc) from None
    return service_out(service)


@router.get("/services/{service_id}", response_model=schemas.ServiceOut)
def read_service(
    tenant: CurrentTenant, session: SessionDep, service_id: int = id_path("service id")
) -> schemas.ServiceOut:
    """One service."""
    return service_out(_or_404(session, tenant.id, service_id))


@router.patch("/services/{service_id}", response_model=schemas.ServiceOut)
def update_service(
    body: schemas.ServiceUpdate,
    tenant: CurrentTenant,
    session: SessionDep,
    service_id: int = id_path("service id"),
) -> schemas.ServiceOut:
    """Change the given fields; null clears price, currency, description, buffers and hours."""
    changes = body.dict(exclude_unset=True)
    for field in NOT_NULL:
        if field in changes and changes[field] is None:
            raise HTTPException(status_code=422, detail=f"{field} cannot be null")
    service = _or_404(session, tenant.id, service_id)
    price = changes.get("price_cents", service.price_cents)
    if price is not None and not changes.get("currency", service.currency):
        raise HTTPException(status_code=422, detail="a price needs its currency")
    try:
        updated = repo.update_service(
            session, tenant_id=tenant.id, service_id=service.id, changes=changes
        )
    except repo.ServiceNameTakenError as exc:
        raise _conflict(exc) from None
    assert updated is not None  # found above, in this transaction
    return service_out(updated)


@router.delete("/services/{service_id}", status_code=204, response_class=Response)
def delete_service(
    tenant: CurrentTenant, session: SessionDep, service_id: int = id_path("service id")
) -> Response:
    """Remove a service; bookings keep its name and the price they were made at."""
    if not repo.delete_service(session, tenant_id=tenant.id, service_id=service_id):
        raise HTTPException(status_code=404, detail="service not found")
    return Response(status_code=204)
