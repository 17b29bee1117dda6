"""POST /events: the business books a customer in itself (a phone booking, a walk-in), judged
by the same check as the assistant (hours, clashes, every booking rule) and written by the same
booking service. A refusal is a 409 naming what stands in the way and the nearest allowed times.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api import schemas
from api.deps import CurrentTenant, SessionDep
from api.routes.params import aware
from api.serializers import event_out
from booking_core.checked_booking import book_if_allowed
from booking_core.db import repository as repo

router = APIRouter(tags=["events"])
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"


class Customer(BaseModel):
    """Who the booking is for: a contact of the tenant on one channel (created if new)."""

    class Config:
        extra = "forbid"

    channel: Literal["rest", "whatsapp", "telegram", "instagram"]
    platform_user_id: str = Field(..., min_length=1, max_length=255, regex=TEXT_PATTERN)
    display_name: str | None = Field(None, max_length=255, regex=TEXT_PATTERN)


class EventCreate(BaseModel):
    class Config:
        extra = "forbid"

    customer: Customer
    start: datetime = Field(..., description="ISO 8601; without an offset: UTC")
    service_id: int | None = Field(None, ge=1, le=2**31 - 1, description="one of your services")
    title: str | None = Field(None, min_length=1, max_length=255, regex=TEXT_PATTERN,
                              description="default: the service's name")  # fmt: skip
    duration_minutes: int | None = Field(None, ge=5, le=1440,
                                         description="default: the service's length")  # fmt: skip
    location: str | None = Field(None, max_length=200, regex=TEXT_PATTERN)


def _refused(verdict: Any) -> HTTPException:
    reasons = [r.reason for r in verdict.refusals]
    if verdict.in_past:
        reasons.insert(0, "the start is in the past")
    if verdict.clashes:
        reasons.append(f"it clashes with {', '.join(verdict.clashes)}")
    if verdict.outside_hours:
        reasons.append("it is outside opening hours")
    alternatives = [
        {"start": slot.start.isoformat(), "end": slot.end.isoformat()}
        for slot in verdict.alternatives
    ]
    detail = {
        "detail": "; ".join(reasons) or "the time is not free",
        "rules": [r.rule for r in verdict.refusals],
        "alternatives": alternatives,
    }
    return HTTPException(status_code=409, detail=detail)


REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "not free: the reasons and the nearest allowed times"}
}


@router.post("/events", response_model=schemas.EventOut, status_code=201, responses=REFUSED)
def create_event(
    body: EventCreate, tenant: CurrentTenant, session: SessionDep
) -> schemas.EventOut:
    """Book a customer in (201), or say why not (409) with the nearest allowed times."""
    service = None
    if body.service_id is not None:
        service = repo.get_service(session, tenant_id=tenant.id, service_id=body.service_id)
        if service is None:
            raise HTTPException(status_code=404, detail="service not found")
    title = body.title or (service.name if service is not None else None)
    if not title:
        raise HTTPException(status_code=422, detail="title or service_id is required")
    minutes = body.duration_minutes or (
        service.duration_minutes if service is not None else tenant.default_event_minutes
    )
    start = aware(body.start, "start")
    assert start is not None
    now = datetime.now(timezone.utc)
    if not now - timedelta(days=366) <= start <= now + timedelta(days=366 * 5):
        raise HTTPException(status_code=422, detail="start must be within five years from now")
    slug, zone = tenant.slug, tenant.timezone
    session.commit()  # the check and the booking open their own transactions
    result = book_if_allowed(
        tenant_slug=slug, channel=body.customer.channel,
        platform_user_id=body.customer.platform_user_id,
        display_name=body.customer.display_name, title=title, start=start,
        end=start + timedelta(minutes=minutes), timezone=zone, location=body.location,
        service_id=body.service_id,
    )  # fmt: skip
    if result.outcome is None:
        raise _refused(result.availability)
    event = repo.get_calendar_event(session, tenant_id=tenant.id,
                                    event_id=result.outcome.booking.event_id)  # fmt: skip
    assert event is not None
    return event_out(event)
