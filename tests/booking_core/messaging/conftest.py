"""The connector fixtures the queue tests share (the queues are driven through the webhooks
in some of them): a fresh SQLite database in the settings, and the stand-in platform APIs."""

from __future__ import annotations

from tests.connectors.conftest import sqlite_settings, standin

__all__ = ["sqlite_settings", "standin"]
