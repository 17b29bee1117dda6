"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from booking_core.db import migrate
from booking_core.db.models import Tenant, metadata
from booking_core.db.session import get_engine, session_scope


def _diff(url: str) -> list:
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_upgrade_matches_models(empty_db_url: str) -> None:
    migrated = migrate.upgrade(empty_db_url)
    assert migrated.split("?")[0] in empty_db_url
    assert _diff(empty_db_url) == []
    tables = set(inspect(get_engine(empty_db_url)).get_table_names())
    assert {"tenants", "contacts", "messages", "calendar_events", "alembic_version"} <= tables


def test_upgrade_is_repeatable_and_creates_default_tenant(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from booking_core.settings import get_settings

    monkeypatch.setenv("DEFAULT_TENANT_SLUG", "default")
    get_settings.cache_clear()
    try:
        migrate.upgrade(empty_db_url)
        migrate.upgrade(empty_db_url)
    finally:
        get_settings.cache_clear()
    with session_scope(empty_db_url) as session:
        assert session.scalars(select(Tenant.slug)).all() == ["default"]


def test_downgrade_to_base_and_back(empty_db_url: str) -> None:
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert set(inspect(get_engine(empty_db_url)).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert _diff(empty_db_url) == []


def test_single_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_cli_prints_database(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'cli.db'}"
    assert migrate.main([url]) == 0
    assert f"migrated {url} to head" in capsys.readouterr().out
    assert (tmp_path / "sub" / "cli.db").exists()
