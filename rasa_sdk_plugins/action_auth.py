"""A shared secret between Rasa and the action server, checked before any action runs.

Rasa sends `Authorization: Bearer <ACTION_SERVER_TOKEN>` with every action call (endpoints.yml
`action_endpoint.headers`); the action server compares it in constant time and answers 401
(missing) or 403 (wrong) before the body is looked at. `GET /health` stays open for probes.
Without ACTION_SERVER_TOKEN the action server refuses to start: an unlocked one is never the
intended set-up (`make run` generates the token).
"""

from __future__ import annotations

import logging
import os
from typing import Any

import pluggy
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.signatures import bearer_token, tokens_equal

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")

TOKEN_ENV = "ACTION_SERVER_TOKEN"
#: Paths served without the token (liveness probes).
OPEN_PATHS = frozenset({"/health"})


class MissingTokenError(RuntimeError):
    """ACTION_SERVER_TOKEN is not set."""


def token_from_env(environ: dict[str, str] | None = None) -> str:
    """The shared secret, or MissingTokenError."""
    token = (environ if environ is not None else os.environ).get(TOKEN_ENV, "").strip()
    if not token:
        raise MissingTokenError(
            f"{TOKEN_ENV} is not set: the action server would run actions for anyone who "
            "reaches its port. Set the same value for Rasa (endpoints.yml) and the action "
            "server; `make run` generates one into var/secrets/."
        )
    return token


def refusal(authorization: str | None, path: str, token: str) -> tuple[int, str] | None:
    """None when the request may go on, else (status, reason). Pure, constant-time compare."""
    if path in OPEN_PATHS:
        return None
    received = bearer_token(authorization)
    if received is None:
        return 401, "missing bearer token"
    return None if tokens_equal(received, token) else (403, "bad token")


def lock(app: Sanic, token: str) -> None:
    """Install the check as the first request middleware of `app`."""

    async def check(request: Request) -> HTTPResponse | None:
        refused = refusal(request.headers.get("Authorization"), request.path, token)
        if refused is None:
            return None
        status, reason = refused
        logger.warning("action server request to %s refused: %s", request.path, reason)
        return response.json({"error": reason}, status=status)

    app.register_middleware(check, "request")


class ActionServerAuth:
    """rasa-sdk plugin: lock the app before it starts."""

    @hookimpl  # type: ignore[misc]
    def attach_sanic_app_extensions(self, app: Any) -> None:
        """Refuse to start without the token; otherwise require it on every call."""
        lock(app, token_from_env())
