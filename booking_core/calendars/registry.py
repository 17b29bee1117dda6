"""Maps `tenant.calendar_provider` to a provider instance.

The providers this project ships are registered here and nowhere else: the built-in calendar,
and Google, whose module (and google-api-python-client) is imported only when a tenant first
uses it. Others (CalDAV, tests' fakes, ...) add a factory under their name with
`register_provider`, so the booking services never import a provider directly.
"""

from __future__ import annotations

from collections.abc import Callable

from booking_core.calendars.base import CalendarProvider
from booking_core.calendars.builtin import BuiltinCalendarProvider
from booking_core.db.models import Tenant

#: A factory gets the tenant (for its settings) and the database URL the caller uses (or None).
ProviderFactory = Callable[[Tenant, "str | None"], CalendarProvider]


def _builtin(tenant: Tenant, database_url: str | None) -> CalendarProvider:
    return BuiltinCalendarProvider(database_url)


def _google(tenant: Tenant, database_url: str | None) -> CalendarProvider:
    """The process-wide Google provider (one service cache shared by every thread)."""
    from booking_core.calendars.google import default_provider

    return default_provider()


_FACTORIES: dict[str, ProviderFactory] = {"builtin": _builtin, "google": _google}


class UnknownProviderError(LookupError):
    """The tenant names a calendar provider nobody registered."""


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Make `name` usable as `tenant.calendar_provider` (replaces an earlier registration)."""
    _FACTORIES[name] = factory


def get_provider(tenant: Tenant, *, database_url: str | None = None) -> CalendarProvider:
    """The calendar provider configured for `tenant`."""
    try:
        factory = _FACTORIES[tenant.calendar_provider]
    except KeyError:
        raise UnknownProviderError(
            f"tenant {tenant.slug!r} uses unknown calendar provider {tenant.calendar_provider!r}"
        ) from None
    return factory(tenant, database_url)
