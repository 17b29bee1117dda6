"""channel_accounts repository on SQLite and PostgreSQL: encrypted secrets, lookups, rotation."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from booking_core.crypto import SecretBox, generate_key
from booking_core.db import repository as repo
from booking_core.db.repository import ChannelSecrets
from booking_core.db.session import session_scope
from tests.connectors.helpers import add_tenant

KEY = generate_key()


@pytest.fixture
def box() -> SecretBox:
    return SecretBox([KEY])


def test_secrets_are_stored_encrypted_and_found(db_url: str, box: SecretBox) -> None:
    tenant_id = add_tenant(db_url, "acme")
    with session_scope(db_url) as session:
        repo.create_channel_account(
            session,
            tenant_id=tenant_id,
            channel="telegram",
            account_id="555",
            secrets=ChannelSecrets(bot_token="555:token", webhook_secret="hook_secret"),
            box=box,
        )
    with session_scope(db_url) as session:
        raw = session.execute(
            text("SELECT bot_token_enc, webhook_secret_enc, lookup_hash FROM channel_accounts")
        ).one()
        assert "555:token" not in raw[0] and "hook_secret" not in raw[1] and len(raw[2]) == 64
        found = repo.get_channel_account_by_secret(
            session, channel="telegram", secret="hook_secret"
        )
        assert found is not None and found.tenant_id == tenant_id
        secrets = repo.decrypt_channel_secrets(found, box=box)
        assert (secrets.bot_token, secrets.webhook_secret) == ("555:token", "hook_secret")
        assert repo.get_channel_account_by_secret(session, channel="telegram", secret="x") is None
        assert repo.get_channel_account(session, channel="telegram", account_id="555") is found
        assert repo.list_channel_accounts(session, tenant_id=tenant_id) == [found]


def test_one_account_per_platform_id(db_url: str, box: SecretBox) -> None:
    first, second = add_tenant(db_url, "a"), add_tenant(db_url, "b")
    with session_scope(db_url) as session:
        repo.create_channel_account(
            session,
            tenant_id=first,
            channel="whatsapp",
            account_id="1",
            secrets=ChannelSecrets(),
            box=box,
        )
        with pytest.raises(IntegrityError):
            repo.create_channel_account(
                session,
                tenant_id=second,
                channel="whatsapp",
                account_id="1",
                secrets=ChannelSecrets(),
                box=box,
            )
        with pytest.raises(ValueError):
            repo.create_channel_account(
                session,
                tenant_id=second,
                channel="rest",
                account_id="1",
                secrets=ChannelSecrets(),
                box=box,
            )
        assert len(repo.list_channel_accounts(session, channel="whatsapp")) == 1


def test_update_delete_and_rotate(db_url: str, box: SecretBox) -> None:
    tenant_id = add_tenant(db_url, "acme")
    with session_scope(db_url) as session:
        account = repo.create_channel_account(
            session,
            tenant_id=tenant_id,
            channel="instagram",
            account_id="178",
            secrets=ChannelSecrets(access_token="one"),
            box=box,
        )
        repo.update_channel_account_secrets(
            session, account=account, secrets=ChannelSecrets(access_token="two"), box=box
        )
    new_box = SecretBox([generate_key(), KEY])
    with session_scope(db_url) as session:
        counts = repo.rotate_stored_secrets(session, box=new_box)
        assert counts["channel_accounts.access_token_enc"] == 1
    with session_scope(db_url) as session:
        account = repo.get_channel_account(session, channel="instagram", account_id="178")
        assert account is not None
        assert repo.decrypt_channel_secrets(account, box=new_box).access_token == "two"
        assert repo.delete_channel_account(session, channel="instagram", account_id="178")
        assert not repo.delete_channel_account(session, channel="instagram", account_id="178")
