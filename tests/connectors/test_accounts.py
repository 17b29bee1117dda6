"""AccountDirectory: the environment account plus decrypted database accounts, cached."""

from __future__ import annotations

import logging

from booking_core.crypto import SecretBox
from booking_core.db.repository import ChannelSecrets, create_channel_account
from booking_core.db.session import session_scope
from connectors.accounts import Account, AccountDirectory
from tests.connectors.helpers import add_tenant

ENV = Account("whatsapp", "111", access_token="t", app_secret="s", verify_token="v")


def _store(url: str, account_id: str, channel: str = "whatsapp", **secrets: str) -> int:
    tenant_id = add_tenant(url, f"t{account_id}")
    with session_scope(url) as session:
        create_channel_account(
            session,
            tenant_id=tenant_id,
            channel=channel,
            account_id=account_id,
            secrets=ChannelSecrets(**secrets),
            box=SecretBox.from_env(),
        )
    return tenant_id


def test_env_first_then_database(sqlite_url, secret_keys) -> None:
    tenant_id = _store(sqlite_url, "222", app_secret="s2")
    _store(sqlite_url, "111", app_secret="shadowed")  # same id as the env account: env wins
    directory = AccountDirectory("whatsapp", ENV, database_url=sqlite_url)
    accounts = directory.all_accounts()
    assert [(a.account_id, a.tenant_id) for a in accounts] == [("111", None), ("222", tenant_id)]
    assert directory.find("222").app_secret == "s2"
    assert directory.find("333") is None
    assert "s2" not in repr(directory.find("222"))


def test_cache_ttl(sqlite_url, secret_keys) -> None:
    now = [0.0]
    directory = AccountDirectory(
        "whatsapp", None, database_url=sqlite_url, ttl=10, clock=lambda: now[0]
    )
    assert directory.all_accounts() == []
    _store(sqlite_url, "222")
    assert directory.all_accounts() == []
    now[0] = 11
    assert [a.account_id for a in directory.all_accounts()] == ["222"]
    _store(sqlite_url, "333")
    directory.clear_cache()
    assert len(directory.all_accounts()) == 2


def test_find_in_memory_answers_only_what_needs_no_database_read(sqlite_url, secret_keys) -> None:
    now = [0.0]
    directory = AccountDirectory("whatsapp", ENV, database_url=sqlite_url, ttl=10,
                                 clock=lambda: now[0])  # fmt: skip
    _store(sqlite_url, "222", app_secret="s2")
    assert directory.find_in_memory("111") == (True, ENV)  # the environment's, never stale
    assert directory.find_in_memory("222") == (False, None)  # nothing cached yet
    assert directory.find("222").app_secret == "s2"
    known, account = directory.find_in_memory("222")
    assert known and account is not None and account.app_secret == "s2"
    assert directory.find_in_memory("333") == (True, None)  # the fresh cache says: no such
    now[0] = 11
    assert directory.find_in_memory("222") == (False, None)  # stale: read again


def test_telegram_by_secret(sqlite_url, secret_keys) -> None:
    _store(sqlite_url, "555", channel="telegram", bot_token="555:x", webhook_secret="db_secret")
    env = Account("telegram", "444", bot_token="444:y", webhook_secret="env_secret")
    directory = AccountDirectory("telegram", env, database_url=sqlite_url)
    assert directory.find_by_secret("env_secret").account_id == "444"
    assert directory.find_by_secret("db_secret").bot_token == "555:x"
    assert directory.find_by_secret("nope") is None and directory.find_by_secret(None) is None


def test_without_secret_keys_database_accounts_are_skipped_with_an_error(
    sqlite_url, secret_keys, monkeypatch, caplog
) -> None:
    _store(sqlite_url, "222")
    monkeypatch.delenv("SECRET_KEYS")
    directory = AccountDirectory("whatsapp", ENV, database_url=sqlite_url)
    with caplog.at_level(logging.ERROR):
        assert [a.account_id for a in directory.all_accounts()] == ["111"]
    assert "SECRET_KEYS" in caplog.text
