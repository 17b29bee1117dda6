"""Google configuration (calendars/google_config.py): the OAuth client, service accounts, the
token URI and the API endpoint, from the environment to the requests sent.

Driven through HttpMockSequence with sockets blocked (see tests/booking_core/google_factories.py).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from googleapiclient.http import HttpMockSequence

from booking_core.calendars.base import ProviderError
from booking_core.calendars.google import GoogleCalendarProvider
from booking_core.calendars.google_config import DEFAULT_TOKEN_URI, GoogleConfig
from booking_core.calendars.google_errors import GoogleCredentialsError
from booking_core.crypto import SecretBox
from tests.booking_core.google_factories import (
    API,
    TOKEN_OK,
    UID,
    google_event,
    make_event,
    make_tenant,
    no_network,  # noqa: F401  (autouse: no real connection from this module)
)


def test_missing_oauth_client_config_is_not_the_tenants_fault(box: SecretBox) -> None:
    provider = GoogleCalendarProvider(
        config=GoogleConfig(), http_factory=lambda: None, secret_box=box
    )
    with pytest.raises(ProviderError, match="GOOGLE_OAUTH_CLIENT_ID") as info:
        provider.get_event(make_tenant(box), UID)
    assert not isinstance(info.value, GoogleCredentialsError)


def test_service_account_credentials(box: SecretBox) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "booking-test",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "booker@booking-test.iam.gserviceaccount.com",
        "client_id": "1234",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    tenant = make_tenant(box, calendar_id="shop@group.calendar.google.com")
    tenant.calendar_settings = {
        "google": {
            "service_account_info_enc": box.encrypt(json.dumps(info)),
            "calendar_id": "shop@group.calendar.google.com",
        }
    }
    mock = HttpMockSequence([TOKEN_OK, ({"status": "200"}, json.dumps(google_event()))])
    config = GoogleConfig(token_uri="http://127.0.0.1:9/token", token_uri_overridden=True)
    provider = GoogleCalendarProvider(config=config, http_factory=lambda: mock, secret_box=box)
    provider.create_event(tenant, make_event())
    token_uri, _, token_body, _ = mock.request_sequence[0]
    assert token_uri == "http://127.0.0.1:9/token"
    form = parse_qs(token_body.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert mock.request_sequence[1][0].startswith(
        f"{API}/calendars/shop%40group.calendar.google.com/events?"
    )


def test_config_from_env_and_endpoint_normalisation() -> None:
    config = GoogleConfig.from_env(
        {
            "GOOGLE_OAUTH_CLIENT_ID": "id",
            "GOOGLE_OAUTH_CLIENT_SECRET": "secret",
            "GOOGLE_OAUTH_TOKEN_URI": "http://127.0.0.1:8765/token",
            "GOOGLE_CALENDAR_API_ENDPOINT": "http://127.0.0.1:8765",
            "GOOGLE_HTTP_TIMEOUT_SECONDS": "2.5",
        }
    )
    assert config.api_endpoint == "http://127.0.0.1:8765/calendar/v3/"
    assert config.token_uri_overridden and config.timeout == 2.5
    default = GoogleConfig.from_env({})
    assert default.api_endpoint == f"{API}/" and default.token_uri == DEFAULT_TOKEN_URI
    custom = GoogleConfig.from_env({"GOOGLE_CALENDAR_API_ENDPOINT": "http://h:1/cal/v3"})
    assert custom.api_endpoint == "http://h:1/cal/v3/"
    with pytest.raises(ValueError, match="TIMEOUT"):
        GoogleConfig.from_env({"GOOGLE_HTTP_TIMEOUT_SECONDS": "soon"})


def test_endpoint_reaches_requests(box: SecretBox) -> None:
    mock = HttpMockSequence([TOKEN_OK, ({"status": "200"}, json.dumps(google_event()))])
    config = GoogleConfig(
        client_id="c", client_secret="s", api_endpoint="http://127.0.0.1:8765/calendar/v3/"
    )
    provider = GoogleCalendarProvider(config=config, http_factory=lambda: mock, secret_box=box)
    provider.create_event(make_tenant(box), make_event())
    assert mock.request_sequence[1][0] == (
        "http://127.0.0.1:8765/calendar/v3/calendars/primary/events?sendUpdates=none&alt=json"
    )
