"""Liveness (`/health`: the process answers) and readiness (`/ready`: the database answers)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import DatabaseUrlDep
from booking_core.db.session import get_engine

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get("/health")
def health() -> dict[str, str]:
    """Always 200 while the process serves requests (no dependency checked)."""
    return {"status": "ok"}


@router.get("/ready", response_model=None)
def ready(database_url: DatabaseUrlDep) -> JSONResponse:
    """200 when a `SELECT 1` succeeds, 503 otherwise (so orchestrators hold traffic back)."""
    try:
        with get_engine(database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("readiness check failed: %s", exc)
        return JSONResponse(
            status_code=503, content={"status": "unavailable", "database": "unreachable"}
        )
    return JSONResponse(content={"status": "ok", "database": "ok"})
