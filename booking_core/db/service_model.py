"""What a business sells: the `services` table (name, synonyms, duration, price, buffers, own
hours and rules), read by the dialogue, the availability search and the admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import relationship

from booking_core.db.models import Base
from booking_core.db.types import UTCDateTime, utcnow


class Service(Base):
    """One thing a tenant's customers can book ("Haircut", 30 minutes, 25.00 GBP).

    `name_key` is the casefolded, space-normalised name, unique per tenant, so "Haircut" and
    "haircut " cannot both exist. Buffers and hours left NULL fall back to the tenant's; the
    service's `booking_rules` override the tenant's key by key (booking_core.booking_rules).
    """

    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name_key"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("price_cents IS NULL OR price_cents >= 0", name="price_not_negative"),
    )

    id: int = Column(Integer, primary_key=True)
    tenant_id: int = Column(
        Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: str = Column(String(100), nullable=False)
    name_key: str = Column(String(100), nullable=False)
    #: Other words customers use for it ("cut", "trim"), matched like the name.
    synonyms: list[str] = Column(JSON, nullable=False, default=list)
    duration_minutes: int = Column(Integer, nullable=False)
    #: Whether a customer may ask for another length ("a 45-minute massage").
    duration_flexible: bool = Column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )
    #: Price in the currency's minor unit (pence, cents); NULL: not shown.
    price_cents: int | None = Column(Integer)
    currency: str | None = Column(String(3))
    description: str | None = Column(Text)
    buffer_before_minutes: int | None = Column(Integer)
    buffer_after_minutes: int | None = Column(Integer)
    #: Opening hours of its own (the tenant's JSON form); NULL: the tenant's hours.
    business_hours: dict[str, Any] | None = Column(JSON)
    booking_rules: dict[str, Any] = Column(JSON, nullable=False, default=dict)
    active: bool = Column(Boolean, nullable=False, default=True, server_default=text("true"))
    #: Order in lists and buttons (smallest first, then name).
    position: int = Column(Integer, nullable=False, default=0, server_default=text("0"))
    created_at: datetime = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: datetime = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    tenant = relationship("Tenant")

    def __repr__(self) -> str:
        return f"<Service id={self.id} tenant_id={self.tenant_id} {self.name!r}>"
