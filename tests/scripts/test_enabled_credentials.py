"""scripts/enabled_credentials.py: which channels `make run` and production start with; the
REST channel is never served without its token in production."""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts.enabled_credentials import enabled_channels, main

ROOT = Path(__file__).resolve().parents[2]
REST = "connectors.rest.RestInput"


def project_credentials() -> dict:
    return yaml.safe_load((ROOT / "credentials.yml").read_text())


def test_without_platform_variables_only_rest_is_enabled() -> None:
    enabled, skipped = enabled_channels(project_credentials(), {})
    assert list(enabled) == [REST] and len(skipped) == 3
    # Without REST_CHANNEL_TOKEN the block is written without the unresolvable ${...}.
    assert enabled[REST] is None


def test_the_project_serves_its_own_rest_channel_not_rasas() -> None:
    assert "rest" not in project_credentials()
    assert REST in project_credentials()


def test_production_leaves_rest_off_without_its_token() -> None:
    enabled, skipped = enabled_channels(project_credentials(), {}, production=True)
    assert REST not in enabled
    assert any("REST_CHANNEL_TOKEN" in line for line in skipped)


def test_production_serves_rest_with_its_token() -> None:
    enabled, _ = enabled_channels(
        project_credentials(), {"REST_CHANNEL_TOKEN": "t"}, production=True
    )
    assert enabled[REST] == {"token": "${REST_CHANNEL_TOKEN}"}


def test_rasas_own_trusting_channels_are_never_enabled() -> None:
    for production in (False, True):
        enabled, skipped = enabled_channels({"rest": None, "socketio": {}}, {},
                                            production=production)  # fmt: skip
        assert enabled == {} and all("trusts the client" in line for line in skipped)


def test_main_writes_what_rasa_reads(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "enabled.yml"
    monkeypatch.delenv("REST_CHANNEL_TOKEN", raising=False)
    assert main(["--source", str(ROOT / "credentials.yml"), "--out", str(out),
                 "--production"]) == 0  # fmt: skip
    assert REST not in (yaml.safe_load(out.read_text()) or {})
