"""What a business offers and how to reach it, read for the assistant: the tenant's active
services (for matching and buttons) and its profile (hours, address, contact).

Plain data out, so the actions never hold a session; unknown tenants raise UnknownTenantError
like every conversation-facing service (booking_core.tenancy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from booking_core.db.repository import list_services
from booking_core.db.session import session_scope
from booking_core.display import describe_minutes, describe_price
from booking_core.scheduling import OpeningHours
from booking_core.tenancy import business_hours, resolve_tenant


@dataclass(frozen=True)
class ServiceInfo:
    """One bookable service as the dialogue uses it."""

    id: int
    name: str
    synonyms: tuple[str, ...]
    duration_minutes: int
    duration_flexible: bool = False
    price_cents: int | None = None
    currency: str | None = None
    description: str | None = None

    @property
    def price(self) -> str | None:
        """The price as written for customers ("\u00a325.00"), None when not shown."""
        return describe_price(self.price_cents, self.currency)

    @property
    def length(self) -> str:
        """ "30 minutes", "1 hour 30 minutes"."""
        return describe_minutes(self.duration_minutes)

    def to_slot(self) -> dict[str, Any]:
        """The form's `service` slot: what the rest of the conversation needs of it."""
        return {"id": self.id, "name": self.name, "minutes": self.duration_minutes,
                "flexible": self.duration_flexible, "price": self.price}  # fmt: skip


@dataclass(frozen=True)
class BusinessInfo:
    """The tenant as its customers ask about it."""

    name: str
    timezone: str
    hours: OpeningHours
    services: tuple[ServiceInfo, ...]
    address: str | None = None
    map_url: str | None = None
    phone: str | None = None
    email: str | None = None


def _info(service: Any) -> ServiceInfo:
    return ServiceInfo(
        id=service.id,
        name=service.name,
        synonyms=tuple(service.synonyms or ()),
        duration_minutes=service.duration_minutes,
        duration_flexible=bool(service.duration_flexible),
        price_cents=service.price_cents,
        currency=service.currency,
        description=service.description,
    )


def business_info(tenant_slug: str | None) -> BusinessInfo:
    """The tenant's profile with its active services in display order."""
    with session_scope() as session:
        tenant = resolve_tenant(session, tenant_slug)
        services = list_services(session, tenant_id=tenant.id, active_only=True)
        return BusinessInfo(
            name=tenant.name,
            timezone=tenant.timezone,
            hours=business_hours(tenant),
            services=tuple(_info(s) for s in services),
            address=tenant.address,
            map_url=tenant.map_url,
            phone=tenant.phone,
            email=tenant.email,
        )
