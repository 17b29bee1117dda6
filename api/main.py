"""FastAPI application factory; `app` is what `uvicorn api.main:app` serves.

Building the app reads no settings: the database URL is resolved per request and the API
configuration (keys, OAuth client, Rasa) is read from the environment per request unless
`create_app(config=...)` fixes it, so importing this module is cheap and tests can build apps for
their own databases. It does put the redacting filter of `api.core.access_log` on uvicorn's
access logger.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.core.access_log import install_access_log_redaction
from api.core.config import ApiConfig
from api.routes import (
    api_keys,
    calendar,
    channel_accounts,
    event_booking,
    events,
    feeds,
    health,
    history,
    services,
    tenants,
)

API_V1_PREFIX = "/api/v1"

DESCRIPTION = """Tenant admin API of the booking assistant.

Authenticate with `Authorization: Bearer <key>` (or `X-API-Key: <key>`): the admin key
(ADMIN_API_KEY) for the *admin* routes, a tenant's API key for everything else. Secrets are
write-only. Public without a key: `/health`, `/ready`, event `.ics` files and tenant feeds (their
URLs are unguessable) and Google's OAuth callback (its signed `state` is the credential).
"""


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with where and what, never the rejected input (it may be a secret)."""
    errors = [
        {
            "loc": list(error.get("loc", ())),
            "msg": str(error.get("msg", "")),
            "type": error.get("type"),
        }
        for error in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": errors})


def create_app(*, database_url: str | None = None, config: ApiConfig | None = None) -> FastAPI:
    """Build the admin API; `database_url` overrides DATABASE_URL and `config` the environment's
    API settings (tests, embedded use).

    Also puts the redacting filter on uvicorn's access logger (idempotent): whichever server
    imports the app, feed tokens, `.ics` ids and OAuth codes/states stay out of its access log.
    """
    install_access_log_redaction()
    app = FastAPI(title="Booking assistant admin API", version="0.2.0", description=DESCRIPTION)
    app.state.database_url = database_url
    app.state.config = config
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.include_router(health.router)
    # events first: its public `/events/{uid}.ics` must win over `/events/{event_id:int}`.
    app.include_router(events.router, prefix=API_V1_PREFIX)
    app.include_router(event_booking.router, prefix=API_V1_PREFIX)
    app.include_router(tenants.admin_router, prefix=API_V1_PREFIX)
    app.include_router(tenants.router, prefix=API_V1_PREFIX)
    app.include_router(api_keys.router, prefix=API_V1_PREFIX)
    app.include_router(channel_accounts.router, prefix=API_V1_PREFIX)
    app.include_router(history.router, prefix=API_V1_PREFIX)
    app.include_router(calendar.router, prefix=API_V1_PREFIX)
    app.include_router(feeds.router, prefix=API_V1_PREFIX)
    app.include_router(services.router, prefix=API_V1_PREFIX)
    return app


app = create_app()
