"""FastAPI application factory; `app` is what `uvicorn api.main:app` serves.

Building the app reads no settings: the database URL is resolved per request, so importing this
module is cheap and tests can build apps for their own databases.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.routes import events, health

API_V1_PREFIX = "/api/v1"


def create_app(*, database_url: str | None = None) -> FastAPI:
    """Build the admin API; `database_url` overrides DATABASE_URL (tests, embedded use)."""
    app = FastAPI(title="Booking assistant admin API", version="0.1.0")
    app.state.database_url = database_url
    app.include_router(health.router)
    app.include_router(events.router, prefix=API_V1_PREFIX)
    return app


app = create_app()
