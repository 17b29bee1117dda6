"""The booking services' shared fixtures: tenant "shop" on the fake calendar (tests/booking_core/
fakes.py), next to the built-in default tenant, and a secret box for encrypted tenant settings."""

from __future__ import annotations

import pytest

from booking_core.crypto import SecretBox, generate_key
from tests.booking_core.fakes import FakeCalendar, install_fake


@pytest.fixture
def fake(db_settings: str, monkeypatch: pytest.MonkeyPatch) -> FakeCalendar:
    """Tenant "shop" on the fake provider, plus the built-in default tenant."""
    return install_fake(monkeypatch)


@pytest.fixture
def box() -> SecretBox:
    return SecretBox([generate_key()])
