"""Settings read from the environment.

Nothing is read at import time: `get_settings()` builds one `Settings` object on first use and
caches it, so tests (and processes that load a `.env` late) can change the environment first and
call `get_settings.cache_clear()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The repository root (the directory holding `booking_core/`); the default database lives below it.
REPO_ROOT = Path(__file__).resolve().parent.parent


def default_database_url() -> str:
    """SQLite file under `<repo>/var/` so every process of a checkout shares one database."""
    return f"sqlite:///{REPO_ROOT / 'var' / 'booking.db'}"


@dataclass(frozen=True)
class Settings:
    """Process-wide configuration; each field maps to the environment variable of the same name.

    DATABASE_URL: SQLAlchemy URL shared by the action server, connectors and admin API
        (default: `sqlite:///<repo>/var/booking.db`; the directory is created on first connect).
    DEFAULT_TENANT_SLUG: slug of the tenant used when a request names none ("default").
    DEFAULT_TENANT_NAME: name given to that tenant when it is first created ("Demo Business").
    DEFAULT_TIMEZONE: IANA time zone of the default tenant ("Europe/London").
    DEFAULT_LOCALE: locale of the default tenant ("en_GB").
    ADMIN_API_URL: public base URL of the admin API, used to build links sent to users
        ("http://localhost:8000"; no trailing slash needed).
    DUCKLING_URL: optional Duckling server; unset or empty means the embedded parser only.
    DEFAULT_EVENT_DURATION_MINUTES: event length when the user gives none (30).
    """

    database_url: str
    default_tenant_slug: str = "default"
    default_tenant_name: str = "Demo Business"
    default_timezone: str = "Europe/London"
    default_locale: str = "en_GB"
    admin_api_url: str = "http://localhost:8000"
    duckling_url: str | None = None
    default_event_duration_minutes: int = 30

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from `environ` (default `os.environ`); bad values fail here, early."""
        env = dict(os.environ if environ is None else environ)

        def get(name: str, default: str) -> str:
            value = env.get(name, "").strip()
            return value or default

        timezone = get("DEFAULT_TIMEZONE", cls.default_timezone)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"DEFAULT_TIMEZONE={timezone!r} is not an IANA time zone") from exc

        raw_minutes = get("DEFAULT_EVENT_DURATION_MINUTES", str(cls.default_event_duration_minutes))
        try:
            minutes = int(raw_minutes)
        except ValueError as exc:
            raise ValueError(
                f"DEFAULT_EVENT_DURATION_MINUTES={raw_minutes!r} is not an integer"
            ) from exc
        if minutes <= 0:
            raise ValueError("DEFAULT_EVENT_DURATION_MINUTES must be positive")

        return cls(
            database_url=get("DATABASE_URL", default_database_url()),
            default_tenant_slug=get("DEFAULT_TENANT_SLUG", cls.default_tenant_slug),
            default_tenant_name=get("DEFAULT_TENANT_NAME", cls.default_tenant_name),
            default_timezone=timezone,
            default_locale=get("DEFAULT_LOCALE", cls.default_locale),
            admin_api_url=get("ADMIN_API_URL", cls.admin_api_url).rstrip("/"),
            duckling_url=get("DUCKLING_URL", "") or None,
            default_event_duration_minutes=minutes,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The cached settings of this process (call `get_settings.cache_clear()` to re-read)."""
    return Settings.from_env()
