"""Alembic environment: one database per run, URL from -x / config / settings.

SQLite cannot ALTER most things, so autogenerate renders batch operations there
(`render_as_batch`); the same scripts then run on PostgreSQL unchanged.
"""

from __future__ import annotations

import logging.config
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import Connection

from booking_core.db.models import metadata
from booking_core.db.session import resolve_url
from booking_core.db.types import UTCDateTime

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def _database_url() -> str:
    """`-x url=...` beats the `url` attribute / sqlalchemy.url set by code, which beat settings."""
    x_args = context.get_x_argument(as_dictionary=True)
    url = (
        x_args.get("url")
        or config.attributes.get("url")
        or config.get_main_option("sqlalchemy.url")
    )
    return resolve_url(url or None)


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render the UTCDateTime decorator as its plain column type, keeping scripts self-contained."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_item=_render_item,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`alembic upgrade head --sql`)."""
    url = _database_url()
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_with(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a caller's connection (`config.attributes["connection"]`) or a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    engine = create_engine(_database_url(), future=True, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _run_with(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
