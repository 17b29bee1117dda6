"""A tenant's services: crud functions scoped by tenant (a service id alone never reaches
another tenant's row). Validation of hours and rules is the callers' (the admin API checks
with `parse_business_hours` and `parse_booking_rules`); the database checks the rest."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.db.service_model import Service

#: Fields `update_service` may change (all but the tenant and the timestamps).
EDITABLE = (
    "name", "synonyms", "duration_minutes", "duration_flexible", "price_cents", "currency",
    "description", "buffer_before_minutes", "buffer_after_minutes", "business_hours",
    "booking_rules", "active", "position",
)  # fmt: skip


class ServiceNameTakenError(ValueError):
    """The tenant has a service of that name already (names compare casefolded)."""


def service_key(name: str) -> str:
    """The name as uniqueness sees it: spaces collapsed, casefolded."""
    return " ".join(name.split()).casefold()


def _flush_unique(session: Session, name: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ServiceNameTakenError(f"a service named {name!r} exists already") from None


def create_service(
    session: Session, *, tenant_id: int, name: str, duration_minutes: int, **fields: Any
) -> Service:
    """Add a service; raises ServiceNameTakenError for a name the tenant uses already."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown service fields: {', '.join(sorted(unknown))}")
    name = " ".join(name.split())
    service = Service(
        tenant_id=tenant_id,
        name=name,
        name_key=service_key(name),
        duration_minutes=duration_minutes,
        synonyms=list(fields.pop("synonyms", None) or []),
        booking_rules=dict(fields.pop("booking_rules", None) or {}),
        **fields,
    )
    session.add(service)
    _flush_unique(session, name)
    return service


def get_service(session: Session, *, tenant_id: int, service_id: int) -> Service | None:
    """The tenant's service with this id, or None (another tenant's id gives None too)."""
    return session.execute(
        select(Service).where(Service.tenant_id == tenant_id, Service.id == service_id)
    ).scalar_one_or_none()


def list_services(session: Session, *, tenant_id: int, active_only: bool = False) -> list[Service]:
    """The tenant's services in their display order (position, then name)."""
    query = select(Service).where(Service.tenant_id == tenant_id)
    if active_only:
        query = query.where(Service.__table__.c.active.is_(True))
    return list(session.execute(query.order_by(Service.position, Service.name_key)).scalars())


def update_service(
    session: Session, *, tenant_id: int, service_id: int, changes: dict[str, Any]
) -> Service | None:
    """Apply `changes` (field -> new value, only fields of EDITABLE); None when not found."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown service fields: {', '.join(sorted(unknown))}")
    service = get_service(session, tenant_id=tenant_id, service_id=service_id)
    if service is None:
        return None
    for field, value in changes.items():
        if field == "name":
            value = " ".join(str(value).split())
            service.name_key = service_key(value)
        if field in ("synonyms", "booking_rules") and value is not None:
            value = list(value) if field == "synonyms" else dict(value)
        setattr(service, field, value)
    _flush_unique(session, service.name)
    return service


def delete_service(session: Session, *, tenant_id: int, service_id: int) -> bool:
    """Remove the service (bookings keep their copy of its name and price); False if absent."""
    service = get_service(session, tenant_id=tenant_id, service_id=service_id)
    if service is None:
        return False
    session.delete(service)
    session.flush()
    return True
