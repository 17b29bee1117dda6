"""A shared secret between Rasa and the action server, checked before any action runs.

With ACTION_SERVER_TOKEN set, Rasa sends `Authorization: Bearer <ACTION_SERVER_TOKEN>` with
every action call (the endpoints file the launchers write, scripts/endpoints_file.py) and the
action server compares it in constant time, answering 401 (missing) or 403 (wrong) before the
body is looked at. Without it (a developer's plain `rasa run actions` next to `rasa shell`,
with the project's endpoints.yml, which sends no header) the server starts and answers callers
on this machine only: the socket's peer must be loopback, else 403, so the default 0.0.0.0
interface does not open it to the network; one log line at start says so. `GET /health` stays
open for probes either way.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import pluggy
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.signatures import caller_refusal

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")

TOKEN_ENV = "ACTION_SERVER_TOKEN"
#: Paths served without the token (liveness probes).
OPEN_PATHS = frozenset({"/health"})


def token_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The shared secret, or None when it is unset or blank (loopback callers only)."""
    token = (environ if environ is not None else os.environ).get(TOKEN_ENV, "").strip()
    return token or None


def refusal(
    authorization: str | None, path: str, token: str | None, peer: str | None
) -> tuple[int, str] | None:
    """None when the request may go on, else (status, reason). Pure, constant-time compare."""
    if path in OPEN_PATHS:
        return None
    return caller_refusal(authorization, peer, token, TOKEN_ENV)


def lock(app: Sanic, token: str | None) -> None:
    """Install the check as the first request middleware of `app`."""

    async def check(request: Request) -> HTTPResponse | None:
        refused = refusal(request.headers.get("Authorization"), request.path, token, request.ip)
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
        """The token on every call when it is set, else loopback callers only (logged)."""
        token = token_from_env()
        if token is None:
            logger.info("%s is not set: the action server answers callers on this machine "
                        "(loopback) only", TOKEN_ENV)  # fmt: skip
        lock(app, token)
