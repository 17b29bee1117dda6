"""rasa-sdk plugin: the action server brings the SQLite database up to date before it serves.

A developer's plain `rasa run actions` on a fresh clone has no database yet; booking would fail
on a missing table (booking_core.db.first_use says what is migrated, and why never PostgreSQL).
"""

from __future__ import annotations

from typing import Any

import pluggy

from booking_core.db.first_use import ensure_schema

hookimpl = pluggy.HookimplMarker("rasa_sdk")


class FirstUseDatabase:
    """Migrate a SQLite database that is behind, once, as the app is built."""

    @hookimpl  # type: ignore[misc]
    def attach_sanic_app_extensions(self, app: Any) -> None:
        """Runs before the server listens, so the first action finds the tables."""
        ensure_schema()
