"""booking_core.examples: `make run` seeds two example services into an untouched default
tenant only, once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from booking_core.db.repository import (
    create_calendar_event,
    delete_service,
    ensure_default_tenant,
    list_services,
)
from booking_core.db.session import session_scope
from booking_core.examples import EXAMPLES, main, seed_examples


def names(url: str) -> list[str]:
    with session_scope(url) as session:
        tenant = ensure_default_tenant(session)
        return [s.name for s in list_services(session, tenant_id=tenant.id)]


def test_seeds_once_and_never_again_after_a_delete(db_settings: str) -> None:
    assert seed_examples(db_settings) == ["Haircut", "Massage"]
    assert sorted(names(db_settings)) == ["Haircut", "Massage"]
    assert seed_examples(db_settings) == []
    with session_scope(db_settings) as session:
        tenant = ensure_default_tenant(session)
        for service in list_services(session, tenant_id=tenant.id):
            delete_service(session, tenant_id=tenant.id, service_id=service.id)
        start = datetime(2030, 1, 7, 10, tzinfo=timezone.utc)
        create_calendar_event(session, tenant_id=tenant.id, contact_id=None, title="Block",
                              start=start, end=start + timedelta(hours=1), timezone="UTC",
                              provider="builtin")  # fmt: skip
    assert seed_examples(db_settings) == []  # a tenant with bookings is left alone
    assert names(db_settings) == []


def test_the_examples_show_a_price_and_a_flexible_length() -> None:
    assert {e["name"] for e in EXAMPLES if e.get("duration_flexible")} == {"Massage"}
    assert all(e["price_cents"] and e["currency"] == "GBP" for e in EXAMPLES)


def test_can_be_turned_off(db_settings: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEED_EXAMPLE_SERVICES", "false")
    assert main() == 0 and names(db_settings) == []
    monkeypatch.setenv("SEED_EXAMPLE_SERVICES", "true")
    assert main() == 0 and sorted(names(db_settings)) == ["Haircut", "Massage"]
