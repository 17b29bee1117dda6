"""scripts/enabled_credentials.py: which channels `make run` and production start with; a
platform is on only with all its settings, the REST channel is never served without its token
in production, and no secret is written into the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scripts.enabled_credentials import enabled_channels, main

ROOT = Path(__file__).resolve().parents[2]
REST = "connectors.rest.RestInput"
WHATSAPP = "connectors.whatsapp.WhatsAppInput"
TELEGRAM = "connectors.telegram.TelegramInput"
WA_ENV = {"WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_APP_SECRET": "s",
          "WHATSAPP_ACCESS_TOKEN": "t", "WHATSAPP_PHONE_NUMBER_ID": "1"}  # fmt: skip


def project_credentials() -> dict:
    return yaml.safe_load((ROOT / "credentials.yml").read_text())


def test_the_project_credentials_name_no_variable() -> None:
    # Rasa expands ${VAR} when it reads the file and stops on an unset one (issue 21).
    assert "${" not in yaml.safe_dump(project_credentials())
    assert all(block is None for block in project_credentials().values())


def test_without_platform_variables_only_rest_is_enabled() -> None:
    enabled, skipped = enabled_channels(project_credentials(), {})
    assert enabled == {REST: None} and len(skipped) == 3
    [whatsapp] = [line for line in skipped if line.startswith(WHATSAPP)]
    assert all(variable in whatsapp for variable in WA_ENV)


def test_a_platform_is_on_with_all_its_variables_and_off_with_one_missing() -> None:
    enabled, _ = enabled_channels(project_credentials(), WA_ENV)
    assert enabled[WHATSAPP] is None  # written as it is: the channel reads its variables
    partial = {k: v for k, v in WA_ENV.items() if k != "WHATSAPP_APP_SECRET"}
    enabled, skipped = enabled_channels(project_credentials(), partial)
    assert WHATSAPP not in enabled
    assert f"{WHATSAPP} (unset: WHATSAPP_APP_SECRET)" in skipped


def test_a_value_written_in_the_section_counts_as_set() -> None:
    credentials = {TELEGRAM: {"webhook_secret": "written"}}
    enabled, _ = enabled_channels(credentials, {"TELEGRAM_BOT_TOKEN": "5:x"})
    assert enabled == {TELEGRAM: {"webhook_secret": "written"}}


def test_a_variable_reference_a_developer_wrote_must_be_set() -> None:
    credentials = {TELEGRAM: {"bot_token": "${MY_BOT}", "webhook_secret": "w"},
                   "some.other.Channel": {"key": "${OTHER_KEY}"}}  # fmt: skip
    enabled, skipped = enabled_channels(credentials, {})
    assert enabled == {} and skipped == [
        f"{TELEGRAM} (unset: MY_BOT, TELEGRAM_BOT_TOKEN)",
        "some.other.Channel (unset: OTHER_KEY)",
    ]
    enabled, _ = enabled_channels(credentials, {"MY_BOT": "5:x", "OTHER_KEY": "k"})
    assert set(enabled) == {TELEGRAM, "some.other.Channel"}


def test_the_project_serves_its_own_rest_channel_not_rasas() -> None:
    assert "rest" not in project_credentials()
    assert REST in project_credentials()


def test_production_leaves_rest_off_without_its_token() -> None:
    enabled, skipped = enabled_channels(project_credentials(), {}, production=True)
    assert REST not in enabled
    assert f"{REST} (unset: REST_CHANNEL_TOKEN)" in skipped


@pytest.mark.parametrize(
    ("section", "environ"),
    [(None, {"REST_CHANNEL_TOKEN": "t"}), ({"token": "written"}, {})],
)
def test_production_serves_rest_with_its_token(section: dict | None, environ: dict) -> None:
    enabled, _ = enabled_channels({REST: section}, environ, production=True)
    assert enabled == {REST: section}


def test_rasas_own_trusting_channels_are_never_enabled() -> None:
    for production in (False, True):
        enabled, skipped = enabled_channels({"rest": None, "socketio": {}}, {},
                                            production=production)  # fmt: skip
        assert enabled == {} and all("trusts the client" in line for line in skipped)


def test_main_writes_what_rasa_reads_and_no_secret(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "enabled.yml"
    monkeypatch.delenv("REST_CHANNEL_TOKEN", raising=False)
    assert main(["--source", str(ROOT / "credentials.yml"), "--out", str(out),
                 "--production"]) == 0  # fmt: skip
    assert REST not in (yaml.safe_load(out.read_text()) or {})
    for name, value in {**WA_ENV, "WHATSAPP_APP_SECRET": "app-secret-9f2"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REST_CHANNEL_TOKEN", "rest-token-77c")
    assert main(["--out", str(out), "--production"]) == 0
    written = out.read_text()
    assert set(yaml.safe_load(written)) == {REST, WHATSAPP}
    assert "app-secret-9f2" not in written and "rest-token-77c" not in written
