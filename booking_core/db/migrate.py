"""Programmatic `alembic upgrade head` plus the default tenant.

`python -m booking_core.db.migrate [URL]` migrates `URL` (default: DATABASE_URL) and prints which
database it migrated. The Alembic config is built from code, so this works from any directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from booking_core.db.repository import ensure_default_tenant
from booking_core.db.session import prepare_sqlite_file, resolve_url, session_scope

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
ALEMBIC_INI = MIGRATIONS_DIR.parent.parent / "alembic.ini"


def alembic_config(url: str | None = None) -> Config:
    """Alembic config pointing at `booking_core/migrations` and the given (or settings) URL."""
    resolved = resolve_url(url)
    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = resolved
    # Leave the caller's logging alone (alembic.ini would reconfigure the root logger).
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str | None = None) -> str:
    """Bring the database to the latest revision and make sure the default tenant exists.

    Returns the URL it migrated (password hidden), so callers can log it.
    """
    resolved = resolve_url(url)
    if make_url(resolved).get_backend_name() == "sqlite":
        prepare_sqlite_file(resolved)
    command.upgrade(alembic_config(resolved), "head")
    with session_scope(resolved) as session:
        ensure_default_tenant(session)
    return make_url(resolved).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: migrate the URL given as the only argument, or DATABASE_URL."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in {"-h", "--help"}):
        print("usage: python -m booking_core.db.migrate [DATABASE_URL]", file=sys.stderr)
        return 2
    migrated = upgrade(args[0] if args else None)
    print(f"migrated {migrated} to head")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
