"""Liveness (`/health`: the process answers) and readiness (`/ready`: the database answers,
when RASA_URL is set the Rasa server has a model loaded, and each process of READY_DEPENDENCIES
answers its own token-free health URL)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api import schemas
from api.core.rasa import process_status, rasa_model_status
from api.deps import ConfigDep, DatabaseUrlDep
from booking_core.db.repository.health import database_answers

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get("/health")
def health() -> dict[str, str]:
    """Always 200 while the process serves requests (no dependency checked)."""
    return {"status": "ok"}


@router.get(
    "/ready",
    response_model=None,
    responses={
        200: {"model": schemas.ReadyOut},
        503: {"model": schemas.ReadyOut, "description": "a dependency is not ready"},
    },
)
def ready(database_url: DatabaseUrlDep, config: ConfigDep) -> JSONResponse:
    """200 when `SELECT 1` succeeds (and Rasa's /status shows a loaded model, when RASA_URL is
    set, and every READY_DEPENDENCIES process answers), 503 otherwise (so orchestrators and
    operators see which process holds traffic back)."""
    body: dict[str, str] = {"status": "ok", "database": "ok"}
    if not database_answers(database_url):
        body.update(status="unavailable", database="unreachable")
    if config.rasa_url:
        body["rasa"] = rasa_model_status(config)
        if body["rasa"] != "ok":
            body["status"] = "unavailable"
    content: dict[str, object] = dict(body)
    if config.ready_dependencies:
        processes = {name: process_status(url) for name, url in config.ready_dependencies}
        content["processes"] = processes
        if any(state != "ok" for state in processes.values()):
            content["status"] = body["status"] = "unavailable"
    return JSONResponse(status_code=200 if body["status"] == "ok" else 503, content=content)
