"""Schema-driven fuzzing with schemathesis: for every operation of the OpenAPI schema, requests
generated to fit the schema (positive) and to break it (negative) never get a 5xx answer.

Tenant routes get a valid tenant key and admin routes the admin key, so generated requests reach
the handlers rather than stopping at authentication; Rasa, Telegram and Google are stand-ins.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from api.main import create_app
from tests.api.conftest import TenantData, admin, onboard
from tests.api.standin import StandIn

OPERATIONS = sorted(
    (method.upper(), path)
    for path, methods in create_app().openapi()["paths"].items()
    for method in methods
)
ADMIN_TAG = "admin"


@pytest.fixture
def fuzz_env(standin: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    standin.on("GET", "/status", (200, {"model_file": "models/booking.tar.gz", "model_id": "x"}))
    standin.on("POST", "/token", (400, {"error": "invalid_grant"}))
    standin.on("PUT", "/conversations/*", (200, {"events": []}))
    standin.on("GET", "/conversations/*", (200, {"events": []}))  # the read-back
    standin.on("POST", "/bot*", (200, {"ok": True, "result": True}))
    monkeypatch.setenv("RASA_URL", standin.url)
    monkeypatch.setenv("TELEGRAM_API_URL", standin.url)  # getMe: 404, so accounts get 422
    monkeypatch.setenv("WHATSAPP_API_URL", f"{standin.url}/graph/v21.0")
    monkeypatch.setenv("INSTAGRAM_API_URL", f"{standin.url}/instagram/v23.0")
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_ID", "client-id")
    monkeypatch.setenv("GOOGLE_OAUTH_CLIENT_SECRET", "client-secret-value")
    monkeypatch.setenv("GOOGLE_OAUTH_REDIRECT_URI", "https://admin.example/cb")
    monkeypatch.setenv("GOOGLE_OAUTH_TOKEN_URI", f"{standin.url}/token")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("method,path", OPERATIONS)
def test_no_server_error(
    method: str,
    path: str,
    mode: GenerationMode,
    db_settings: str,
    fuzz_env: None,
) -> None:
    app = create_app(database_url=db_settings)
    with TestClient(app) as client:
        tenant: TenantData = onboard(client, db_settings, "fuzz")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema[path][method]
    tags = operation.definition.raw.get("tags", [])
    headers = admin() if ADMIN_TAG in tags else tenant.headers

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        call_headers = dict(headers)
        call_headers.update(case.headers or {})
        response = case.call(headers=call_headers)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
        )

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip("the schema admits every value here: no invalid request to generate")
