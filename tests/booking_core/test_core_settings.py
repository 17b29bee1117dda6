"""Settings come from the environment, lazily, with validated defaults."""

from __future__ import annotations

import pytest

from booking_core import settings as settings_module
from booking_core.settings import Settings, get_settings


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{settings_module.REPO_ROOT}/var/booking.db"
    assert settings.default_tenant_slug == "default"
    assert settings.default_tenant_name == "Demo Business"
    assert settings.default_timezone == "Europe/London"
    assert settings.default_locale == "en_GB"
    assert settings.admin_api_url == "http://localhost:8000"
    assert settings.duckling_url is None
    assert settings.default_event_duration_minutes == 30


def test_overrides() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://db/x",
            "ADMIN_API_URL": "https://book.example.com/",
            "DUCKLING_URL": "http://duckling:8000",
            "DEFAULT_EVENT_DURATION_MINUTES": "45",
            "DEFAULT_TIMEZONE": "Asia/Kolkata",
        }
    )
    assert settings.database_url == "postgresql://db/x"
    assert settings.admin_api_url == "https://book.example.com"
    assert settings.duckling_url == "http://duckling:8000"
    assert settings.default_event_duration_minutes == 45
    assert settings.default_timezone == "Asia/Kolkata"


@pytest.mark.parametrize(
    "env",
    [
        {"DEFAULT_TIMEZONE": "Mars/Base"},
        {"DEFAULT_EVENT_DURATION_MINUTES": "half an hour"},
        {"DEFAULT_EVENT_DURATION_MINUTES": "0"},
    ],
)
def test_invalid_values(env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        Settings.from_env(env)


def test_cached_and_lazy(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    monkeypatch.setenv("DEFAULT_TENANT_SLUG", "first")
    try:
        assert get_settings().default_tenant_slug == "first"
        monkeypatch.setenv("DEFAULT_TENANT_SLUG", "second")
        assert get_settings() is get_settings()
        assert get_settings().default_tenant_slug == "first"
        get_settings.cache_clear()
        assert get_settings().default_tenant_slug == "second"
    finally:
        get_settings.cache_clear()
