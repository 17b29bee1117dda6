"""Shared fixtures: migrated SQLite and PostgreSQL databases, and settings pointing at them.

PostgreSQL comes from TEST_POSTGRES_URL (default: postgres@127.0.0.1:5432/booking_test, created
when missing). When it is unreachable, tests that need it are skipped - except with CI=true, where
they fail, so CI cannot go green without having run them. Each test session works in its own
schema, so concurrent runs on one server do not see each other.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from booking_core.db.models import metadata
from booking_core.db.session import dispose_engines
from booking_core.settings import get_settings

DEFAULT_POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/booking_test"


def _migrate(url: str) -> None:
    """Schema only (`alembic upgrade head`), no default tenant: tests start from empty tables."""
    from alembic import command

    from booking_core.db.migrate import alembic_config

    command.upgrade(alembic_config(url), "head")
    dispose_engines(url)


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required when CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not reachable ({reason}); start it or set TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """URL of the test database on the PostgreSQL server, created when missing."""
    url = make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    admin = create_engine(
        url.set(database="postgres"),
        future=True,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).scalar()
            if not exists:
                # ProgrammingError: a concurrent test session created it first.
                with contextlib.suppress(ProgrammingError):
                    connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    except OperationalError as exc:
        _postgres_unavailable(str(exc.orig).strip().splitlines()[0])
    finally:
        admin.dispose()
    return url.render_as_string(hide_password=False)


@contextmanager
def _fresh_schema(server_url: str) -> Iterator[str]:
    """A new empty schema on the server; yields a URL whose search_path is that schema."""
    name = f"test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server_url, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={name}"})
    schema_url = url.render_as_string(hide_password=False)
    try:
        yield schema_url
    finally:
        dispose_engines(schema_url)
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A migrated PostgreSQL schema for this test session (dropped at the end)."""
    with _fresh_schema(postgres_server_url) as url:
        _migrate(url)
        yield url


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "booking.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> Iterator[str]:
    """A migrated, empty SQLite database file of this test (copied from a migrated template)."""
    path = tmp_path / "booking.db"
    shutil.copyfile(_sqlite_template, path)
    url = f"sqlite:///{path}"
    yield url
    dispose_engines(url)


def _truncate_all(url: str) -> None:
    engine = create_engine(url, future=True)
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    try:
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated database with empty tables, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    url = str(request.getfixturevalue("postgres_url"))
    _truncate_all(url)
    return url


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty (unmigrated) database, once per backend: for migration tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        yield url
        dispose_engines(url)
        return
    with _fresh_schema(str(request.getfixturevalue("postgres_server_url"))) as url:
        yield url


@pytest.fixture
def db_settings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the settings (DATABASE_URL, ADMIN_API_URL) at `db_url` for code that reads them."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ADMIN_API_URL", "http://testserver")
    for name in (
        "DEFAULT_TENANT_SLUG",
        "DEFAULT_TENANT_NAME",
        "DEFAULT_TIMEZONE",
        "DEFAULT_LOCALE",
        "DEFAULT_EVENT_DURATION_MINUTES",
    ):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The local Redis (TEST_REDIS_URL); skipped when unreachable, a failure under CI=true."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required when CI=true: {exc}", pytrace=False)
        pytest.skip(f"Redis not reachable at {url} ({exc}); start it or set TEST_REDIS_URL")
    return url


@pytest.fixture(scope="session")
def embedded_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The `make run` configuration, running, shared by the end-to-end tests of a session
    (tests/integration/clusters.py says why and how tests keep apart)."""
    from tests.integration import clusters

    with clusters.embedded(tmp_path_factory.mktemp("embedded")) as assistant:
        yield assistant


@pytest.fixture(scope="session")
def production_cluster(
    tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str, redis_url: str
) -> Iterator[dict[str, Any]]:
    """Two Rasa processes, actions and ingest on PostgreSQL and Redis, shared by the fault
    tests and the production REST tests of a session. Its own schema: other tests empty the
    session's shared one while the cluster runs."""
    from tests.integration import clusters

    work = tmp_path_factory.mktemp("production")
    with (
        _fresh_schema(postgres_server_url) as url,
        clusters.production(work, url, redis_url) as cluster,
    ):
        yield cluster


@pytest.fixture
def fresh_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """An empty schema of this test alone, not migrated (for code that migrates it itself, e.g.
    scripts/run_prod.sh); dropped at the end."""
    with _fresh_schema(postgres_server_url) as url:
        yield url
