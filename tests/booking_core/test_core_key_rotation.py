"""Key rotation covers every encrypted value in the database (channel accounts and calendar
credentials), on SQLite and PostgreSQL, through `python -m booking_core.crypto rotate`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from booking_core import crypto
from booking_core.crypto import SecretBox, SecretKeyError, generate_key
from booking_core.db import repository as repo
from booking_core.db.repository import ChannelSecrets
from booking_core.db.session import session_scope

KEY_A, KEY_B = generate_key(), generate_key()
BOT_TOKEN = "555:bot-token-secret"
WA_SECRETS = ChannelSecrets(
    access_token="EAAG-access-secret", app_secret="app-secret", verify_token="verify-secret"
)
REFRESH_TOKEN = "1//0g-google-refresh-secret"
SERVICE_ACCOUNT = {"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----x"}


def _store_under_key_a(url: str) -> tuple[int, int]:
    """Two tenants: channel accounts and a Google refresh token; a service-account key."""
    box_a = SecretBox([KEY_A])
    with session_scope(url) as session:
        acme = repo.create_tenant(session, name="Acme", slug="acme")
        other = repo.create_tenant(session, name="Other", slug="other")
        session.flush()
        repo.create_channel_account(
            session,
            tenant_id=acme.id,
            channel="telegram",
            account_id="555",
            secrets=ChannelSecrets(bot_token=BOT_TOKEN, webhook_secret="hook-secret"),
            box=box_a,
        )
        repo.create_channel_account(
            session,
            tenant_id=other.id,
            channel="whatsapp",
            account_id="1065",
            secrets=WA_SECRETS,
            box=box_a,
        )
        repo.set_google_connection(
            session, tenant_id=acme.id, refresh_token=REFRESH_TOKEN, box=box_a
        )
        other.calendar_settings = {
            "google": {
                "service_account_info_enc": box_a.encrypt(json.dumps(SERVICE_ACCOUNT)),
                "calendar_id": "team@group.calendar.google.com",
                "needs_reauth": True,
            }
        }
        return acme.id, other.id


def test_rotate_then_only_the_new_key_decrypts_everything(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    acme_id, other_id = _store_under_key_a(db_url)
    monkeypatch.setenv("SECRET_KEYS", f"{KEY_B},{KEY_A}")

    assert crypto.main(["rotate", db_url]) == 0

    only_b, only_a = SecretBox([KEY_B]), SecretBox([KEY_A])
    with session_scope(db_url) as session:
        bot = repo.get_channel_account(session, channel="telegram", account_id="555")
        wa = repo.get_channel_account(session, channel="whatsapp", account_id="1065")
        acme = repo.get_tenant(session, tenant_id=acme_id)
        other = repo.get_tenant(session, tenant_id=other_id)
        assert bot is not None and wa is not None and acme is not None and other is not None
        assert repo.decrypt_channel_secrets(bot, box=only_b) == ChannelSecrets(
            bot_token=BOT_TOKEN, webhook_secret="hook-secret"
        )
        assert repo.decrypt_channel_secrets(wa, box=only_b) == WA_SECRETS
        google = repo.google_connection(acme)
        assert google is not None
        assert only_b.decrypt(google["refresh_token_enc"]) == REFRESH_TOKEN
        assert google["calendar_id"] == "primary" and "connected_at" in google
        section = other.calendar_settings["google"]
        assert json.loads(only_b.decrypt(section["service_account_info_enc"])) == SERVICE_ACCOUNT
        assert section["needs_reauth"] is True
        with pytest.raises(SecretKeyError):
            only_a.decrypt(google["refresh_token_enc"])
        with pytest.raises(SecretKeyError):
            repo.decrypt_channel_secrets(bot, box=only_a)

    out = capsys.readouterr().out
    assert "re-encrypted 7 stored secret(s)" in out
    for line in (
        "channel_accounts.bot_token_enc: 1",
        "channel_accounts.webhook_secret_enc: 1",
        "channel_accounts.access_token_enc: 1",
        "tenants.calendar_settings.google.refresh_token_enc: 1",
        "tenants.calendar_settings.google.service_account_info_enc: 1",
    ):
        assert line in out
    assert REFRESH_TOKEN not in out and BOT_TOKEN not in out


def test_a_value_no_key_decrypts_aborts_and_changes_nothing(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    acme_id, _ = _store_under_key_a(db_url)
    lost_key = SecretBox([generate_key()])
    with session_scope(db_url) as session:
        repo.set_google_connection(
            session, tenant_id=acme_id, refresh_token=REFRESH_TOKEN, box=lost_key
        )
    with session_scope(db_url) as session:
        before = session.execute(text("SELECT bot_token_enc FROM channel_accounts")).all()
    monkeypatch.setenv("SECRET_KEYS", f"{KEY_B},{KEY_A}")

    assert crypto.main(["rotate", db_url]) == 1

    err = capsys.readouterr().err
    assert f"tenants.calendar_settings.google.refresh_token_enc of tenant {acme_id}" in err
    assert REFRESH_TOKEN not in err
    with session_scope(db_url) as session:
        assert session.execute(text("SELECT bot_token_enc FROM channel_accounts")).all() == before


def test_every_enc_field_of_any_calendar_section_is_counted(db_url: str) -> None:
    box_a = SecretBox([KEY_A])
    with session_scope(db_url) as session:
        tenant = repo.create_tenant(session, name="Acme", slug="acme")
        tenant.calendar_settings = {"outlook": {"refresh_token_enc": box_a.encrypt("ms-token")}}
    with session_scope(db_url) as session:
        counts = repo.rotate_stored_secrets(session, box=SecretBox([KEY_B, KEY_A]))
    assert counts["tenants.calendar_settings.outlook.refresh_token_enc"] == 1
    assert counts["tenants.calendar_settings.google.refresh_token_enc"] == 0
    assert counts["channel_accounts.bot_token_enc"] == 0
    with session_scope(db_url) as session:
        tenant = repo.get_tenant_by_slug(session, slug="acme")
        assert tenant is not None
        token = tenant.calendar_settings["outlook"]["refresh_token_enc"]
        assert SecretBox([KEY_B]).decrypt(token) == "ms-token"
