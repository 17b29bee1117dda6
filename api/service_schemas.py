"""Request and response models of a tenant's services and booking rules (pydantic v1).

Hours and rules are validated by the scheduler's and the rules' own parsers
(`parse_business_hours`, `parse_booking_rules`), so what is saved is what bookings are judged by.
Prices are whole minor units (pence, cents) with an ISO 4217 currency, as Cal.com stores them:
no float ever holds money.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, root_validator, validator

from booking_core.booking_rules import parse_booking_rules
from booking_core.scheduling import parse_business_hours

TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
MAX_SYNONYMS = 30


def check_rules(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """422 for an unknown rule or a value out of range (the error names the key)."""
    return None if value is None else dict(parse_booking_rules(value))


def _check_hours(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is not None:
        parse_business_hours(value)
    return value


def _check_synonyms(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    cleaned: list[str] = []
    for synonym in value:
        words = " ".join(synonym.split())
        if not words or len(words) > 100 or "\x00" in words:
            raise ValueError("each synonym is 1-100 printable characters")
        if words.casefold() not in {s.casefold() for s in cleaned}:
            cleaned.append(words)
    return cleaned


class ServiceFields(BaseModel):
    """Fields shared by create and update (all optional here)."""

    class Config:
        extra = "forbid"

    synonyms: list[str] | None = Field(
        None, max_items=MAX_SYNONYMS, description='other words customers use: ["cut", "trim"]'
    )
    duration_flexible: bool | None = Field(
        None, description="whether a customer may ask for another length"
    )
    price_cents: int | None = Field(None, ge=0, le=100_000_000, description="in minor units")
    currency: str | None = Field(None, regex=CURRENCY_PATTERN, description="ISO 4217, e.g. GBP")
    description: str | None = Field(None, max_length=1000)
    buffer_before_minutes: int | None = Field(None, ge=0, le=1440)
    buffer_after_minutes: int | None = Field(None, ge=0, le=1440)
    business_hours: dict[str, Any] | None = Field(
        None, description="its own opening hours (the tenant's form); null: the tenant's"
    )
    booking_rules: dict[str, Any] | None = Field(
        None, description='overrides the tenant\'s rules key by key, e.g. {"daily_cap": 4}'
    )
    active: bool | None = None
    position: int | None = Field(None, ge=-10_000, le=10_000, description="order in lists")

    _synonyms = validator("synonyms", allow_reuse=True)(_check_synonyms)
    _hours = validator("business_hours", allow_reuse=True)(_check_hours)
    _rules = validator("booking_rules", allow_reuse=True)(check_rules)


class ServiceCreate(ServiceFields):
    name: str = Field(..., min_length=1, max_length=100, regex=TEXT_PATTERN)
    duration_minutes: int = Field(..., ge=5, le=1440)

    @root_validator(skip_on_failure=True)
    def _price_has_currency(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if values.get("price_cents") is not None and not values.get("currency"):
            raise ValueError("a price needs its currency")
        return values


class ServiceUpdate(ServiceFields):
    name: str | None = Field(None, min_length=1, max_length=100, regex=TEXT_PATTERN)
    duration_minutes: int | None = Field(None, ge=5, le=1440)


class ServiceOut(BaseModel):
    id: int
    name: str
    synonyms: list[str]
    duration_minutes: int
    duration_flexible: bool
    price_cents: int | None
    currency: str | None
    description: str | None
    buffer_before_minutes: int | None
    buffer_after_minutes: int | None
    business_hours: dict[str, Any] | None
    booking_rules: dict[str, Any]
    active: bool
    position: int
    created_at: datetime
    updated_at: datetime
