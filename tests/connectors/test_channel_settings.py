"""connectors/channel_settings.py and Platform.default_account: a channel's settings are what
its credentials.yml section writes, else its documented variable; an incomplete platform is
left off with one log line naming what to set, never an exception."""

from __future__ import annotations

import logging

import pytest

from connectors.channel_settings import (
    REST_VARIABLES,
    channel_settings,
    left_off_line,
)
from connectors.instagram.platform import InstagramPlatform
from connectors.platform import Platform
from connectors.telegram.platform import TelegramPlatform
from connectors.whatsapp.platform import WhatsAppPlatform

WA_ENV = {
    "WHATSAPP_VERIFY_TOKEN": "v",
    "WHATSAPP_APP_SECRET": "s",
    "WHATSAPP_ACCESS_TOKEN": "t",
    "WHATSAPP_PHONE_NUMBER_ID": "106",
}
PLATFORMS: list[Platform] = [WhatsAppPlatform(), TelegramPlatform(), InstagramPlatform()]


def test_the_environment_fills_what_the_section_does_not_write() -> None:
    merged = channel_settings(None, WhatsAppPlatform.credential_variables, WA_ENV)
    assert merged.complete and merged.values == {
        "verify_token": "v", "app_secret": "s", "access_token": "t", "phone_number_id": "106",
    }  # fmt: skip


def test_a_value_written_in_the_section_wins_over_the_variable() -> None:
    section = {"phone_number_id": 777, "verify_token": "mine"}
    merged = channel_settings(section, WhatsAppPlatform.credential_variables, WA_ENV)
    assert (merged.values["phone_number_id"], merged.values["verify_token"]) == ("777", "mine")
    assert merged.values["app_secret"] == "s"


def test_empty_values_count_as_unset_and_are_named_in_declaration_order() -> None:
    env = {**WA_ENV, "WHATSAPP_APP_SECRET": "  ", "WHATSAPP_VERIFY_TOKEN": ""}
    merged = channel_settings({"access_token": None}, WhatsAppPlatform.credential_variables, env)
    assert not merged.complete
    assert merged.missing == ("WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET")


def test_settings_without_a_variable_are_kept_as_written() -> None:
    merged = channel_settings({"tenant": "acme"}, REST_VARIABLES, {})
    assert merged.values == {"tenant": "acme"} and merged.missing == ("REST_CHANNEL_TOKEN",)
    with_token = channel_settings({"tenant": "acme"}, REST_VARIABLES, {"REST_CHANNEL_TOKEN": "r"})
    assert with_token.values == {"tenant": "acme", "token": "r"}


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.channel)
def test_without_variables_a_platform_is_left_off_with_one_line(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="connectors.platform")
    assert platform.default_account(None, {}) is None
    [record] = caplog.records
    message = record.getMessage()
    assert f"/{platform.channel}_webhook" in message
    assert all(variable in message for variable in platform.credential_variables.values())


def test_a_complete_platform_gets_its_account_and_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="connectors.platform")
    account = WhatsAppPlatform().default_account({}, WA_ENV)
    assert account is not None and (account.account_id, account.app_secret) == ("106", "s")
    telegram = TelegramPlatform().default_account(
        {"webhook_secret": "w"}, {"TELEGRAM_BOT_TOKEN": "55:abc"}
    )
    assert telegram is not None and (telegram.account_id, telegram.webhook_secret) == ("55", "w")
    assert caplog.records == []


def test_a_partly_configured_platform_names_only_what_is_missing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="connectors.platform")
    env = {k: v for k, v in WA_ENV.items() if k != "WHATSAPP_APP_SECRET"}
    assert WhatsAppPlatform().default_account(None, env) is None
    assert caplog.records[0].getMessage() == left_off_line(
        "whatsapp", ("WHATSAPP_APP_SECRET",), "/whatsapp_webhook"
    )
    assert "not set: WHATSAPP_APP_SECRET (" in caplog.records[0].getMessage()
