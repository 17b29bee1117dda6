"""AccountDirectory: the environment account plus decrypted database accounts, cached; a
tenant's messages are answered only with that tenant's account (never another tenant's token,
even when two accounts share a platform id)."""

from __future__ import annotations

import logging

from booking_core.crypto import SecretBox
from booking_core.db.repository import (
    ChannelSecrets,
    create_channel_account,
    ensure_default_tenant,
    record_message,
    upsert_contact,
)
from booking_core.db.session import session_scope
from booking_core.messaging.store import persist_inbound
from connectors.accounts import Account, AccountDirectory
from connectors.whatsapp.parse import parse_whatsapp
from standins import webhooks as f
from tests.connectors.conftest import running, telegram_channel, whatsapp_channel
from tests.connectors.helpers import add_tenant, messages

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


def _default_tenant(url: str) -> int:
    with session_scope(url) as session:
        return int(ensure_default_tenant(session).id)


def test_env_first_then_database(sqlite_url, secret_keys) -> None:
    tenant_id = _store(sqlite_url, "222", app_secret="s2")
    _store(sqlite_url, "111", app_secret="shadowed")  # same id as the env account: env wins
    directory = AccountDirectory("whatsapp", ENV, database_url=sqlite_url)
    accounts = directory.all_accounts()
    assert [(a.account_id, a.tenant_id) for a in accounts] == [("111", None), ("222", tenant_id)]
    assert directory.find("222", tenant_id).app_secret == "s2"
    assert directory.find("333", tenant_id) is None
    assert "s2" not in repr(directory.find("222", tenant_id))


def test_an_account_is_found_only_for_its_own_tenant(sqlite_url, secret_keys) -> None:
    owner = _store(sqlite_url, "222", app_secret="s2")
    squatter = _store(sqlite_url, "111", access_token="squatter-token")  # the env account's id
    default = _default_tenant(sqlite_url)
    directory = AccountDirectory("whatsapp", ENV, database_url=sqlite_url)
    assert directory.find("111", default) == ENV
    assert directory.find("111", squatter).access_token == "squatter-token"  # its own, not ENV's
    assert directory.find("222", default) is None and directory.find("222", squatter) is None
    assert directory.find("222", owner).app_secret == "s2"
    assert directory.find_in_memory("111", squatter)[1].access_token == "squatter-token"
    assert directory.find_in_memory("222", default) == (True, None)


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
    tenant_id = _store(sqlite_url, "222", app_secret="s2")
    default = _default_tenant(sqlite_url)
    assert directory.find_in_memory("222", tenant_id) == (False, None)  # nothing cached yet
    assert directory.find_in_memory("111", default) == (False, None)  # whose tenant: unknown
    assert directory.find("222", tenant_id).app_secret == "s2"
    known, account = directory.find_in_memory("222", tenant_id)
    assert known and account is not None and account.app_secret == "s2"
    assert directory.find_in_memory("111", default) == (True, ENV)
    assert directory.find_in_memory("333", tenant_id) == (True, None)  # the fresh cache: no such
    now[0] = 11
    assert directory.find_in_memory("222", tenant_id) == (False, None)  # stale: read again


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


async def test_a_tenant_s_bot_sharing_the_env_bot_s_id_answers_with_its_own_token(
    sqlite_settings, standin, secret_keys
) -> None:
    """Tenant alpha's stored bot carries the environment bot's id (stored directly, past the
    API's check): alpha's messages must go out with alpha's token, never the default tenant's."""
    alpha = add_tenant(sqlite_settings, "alpha")
    alpha_token = f"{f.BOT_ID}:alpha-own-token"
    with session_scope(sqlite_settings) as session:
        create_channel_account(
            session,
            tenant_id=alpha,
            channel="telegram",
            account_id=f.BOT_ID,
            secrets=ChannelSecrets(bot_token=alpha_token, webhook_secret="alpha_secret"),
            box=SecretBox.from_env(),
        )
    async with running(telegram_channel(standin)) as h:
        response = await h.post(f.tg_text(4242, "hello"), f.telegram_headers("alpha_secret"))
        await h.settle()
    assert response.status_code == 200
    assert [m.sender_id for m in h.agent.messages] == ["alpha:telegram:4242"]
    used = {r.path.split("/")[2] for r in standin.sent("/telegram")}
    assert used == {f"bot{alpha_token}"}  # typing and the reply, both with alpha's token
    assert [m.status for m in messages(sqlite_settings)] == ["processed", "sent"]


async def test_a_tenant_s_rows_naming_another_tenant_s_account_fail_unsent(
    sqlite_settings, standin, secret_keys
) -> None:
    """Alpha has no account with the environment number's id, yet an inbound message and a
    queued notice of alpha name it: both fail as "account no longer configured", nothing is
    sent with the default tenant's token."""
    alpha = add_tenant(sqlite_settings, "alpha")
    user = "447700900077"
    [inbound] = parse_whatsapp(f.body_bytes(f.wa_text(user, "hi"))).messages
    squatted = Account("whatsapp", f.PHONE_NUMBER_ID, tenant_id=alpha)
    job = persist_inbound(None, squatted, inbound)
    assert job is not None and job.tenant.id == alpha
    with session_scope(sqlite_settings) as session:
        contact = upsert_contact(session, tenant_id=alpha, channel="whatsapp",
                                 platform_user_id=user)  # fmt: skip
        notice = {"notice": "It is booked.", "recipient": user, "account_id": f.PHONE_NUMBER_ID}
        record_message(session, tenant_id=alpha, contact_id=contact.id, channel="whatsapp",
                       direction="out", text="It is booked.", payload=notice,
                       status="queued")  # fmt: skip
    async with running(whatsapp_channel(standin)) as h:
        await h.settle()
    assert h.agent.messages == [] and standin.requests == []
    outcome = [(m.direction, m.status, m.error) for m in messages(sqlite_settings)]
    assert outcome == [
        ("in", "failed", "account no longer configured"),
        ("out", "failed", "account no longer configured"),
    ]
