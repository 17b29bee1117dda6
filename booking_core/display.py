"""How a booking's time is written for people, shared by the assistant's answers (actions/) and
the messages the data layer queues itself (booking_core.notices)."""

from __future__ import annotations

from datetime import datetime

from booking_core.db.models import CalendarEvent


def describe_window(begin: datetime, end: datetime, zone_name: str) -> str:
    """ "Tue 3 Dec, 15:00-15:45 (Europe/London)", the way people read a booking."""
    when = f"{begin:%a} {begin.day} {begin:%b}, {begin:%H:%M}-{end:%H:%M}"
    if end.date() != begin.date():
        when = f"{begin:%a} {begin.day} {begin:%b}, {begin:%H:%M} - {end:%a} {end:%H:%M}"
    return f"{when} ({zone_name})"


#: Symbols written before the amount; other currencies are written after it ("25.00 CHF").
CURRENCY_SYMBOLS = {"GBP": "\u00a3", "EUR": "\u20ac", "USD": "$", "AUD": "A$", "CAD": "C$",
                    "NZD": "NZ$", "JPY": "\u00a5", "INR": "\u20b9"}  # fmt: skip
#: Currencies without minor units (ISO 4217 exponent 0).
WHOLE_CURRENCIES = frozenset({"JPY", "KRW", "ISK", "CLP", "VND", "HUF"})


def describe_price(price_cents: int | None, currency: str | None) -> str | None:
    """ "\u00a325.00", "\u20ac9.50", "3,000 JPY" style; None when there is no price to show."""
    if price_cents is None or not currency:
        return None
    code = currency.upper()
    if code in WHOLE_CURRENCIES:
        amount = f"{price_cents:,}"
    else:
        amount = f"{price_cents // 100:,}.{price_cents % 100:02d}"
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{symbol}{amount}" if symbol else f"{amount} {code}"


def describe_minutes(minutes: float) -> str:
    """ "30 minutes", "1 hour", "1 hour 30 minutes", "2 hours"."""
    hours, rest = divmod(round(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def service_details(
    *, service: str, minutes: float, price_cents: int | None, currency: str | None
) -> str:
    """What a calendar entry says of the service booked: "Haircut, 30 minutes, \u00a325.00"."""
    parts = [service, describe_minutes(minutes)]
    price = describe_price(price_cents, currency)
    return ", ".join([*parts, price] if price else parts)


def event_details(event: CalendarEvent) -> str | None:
    """The service a booking is for, with its length and price then (None without one)."""
    if event.service_id is None and event.price_cents is None:
        return None
    minutes = (event.end - event.start).total_seconds() / 60
    return service_details(service=event.title, minutes=minutes, price_cents=event.price_cents,
                           currency=event.currency)  # fmt: skip
