"""scripts/endpoints_file.py: the launchers' endpoints file sends the action server's token
(as a variable Rasa expands, never the token itself); endpoints.yml sends none."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scripts.endpoints_file import endpoints_text, main, token_is_set

ROOT = Path(__file__).resolve().parents[2]
SOURCE = (ROOT / "endpoints.yml").read_text()


def test_endpoints_yml_sends_no_header_and_names_no_variable() -> None:
    # Plain `rasa shell` reads it with no variable set (issue 21).
    endpoints = yaml.safe_load(SOURCE)
    assert "${" not in yaml.safe_dump(endpoints) and "headers" not in endpoints["action_endpoint"]


def test_the_launchers_copy_carries_the_token_header_and_the_port() -> None:
    written = yaml.safe_load(endpoints_text(SOURCE, "http://127.0.0.1:5099/webhook"))
    assert written["action_endpoint"] == {
        "url": "http://127.0.0.1:5099/webhook",
        "headers": {"Authorization": "Bearer ${ACTION_SERVER_TOKEN}"},
    }
    assert written["tracker_store"] == yaml.safe_load(SOURCE)["tracker_store"]


def test_without_the_token_no_header_is_written() -> None:
    written = yaml.safe_load(endpoints_text(SOURCE, None, token=False))
    assert written["action_endpoint"] == {"url": "http://localhost:5055/webhook"}
    assert not token_is_set({"ACTION_SERVER_TOKEN": " "})
    assert token_is_set({"ACTION_SERVER_TOKEN": "t"})


def test_rasa_reads_the_written_file_with_the_token_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.core.utils import AvailableEndpoints

    monkeypatch.setenv("ACTION_SERVER_TOKEN", "tok-123")
    out = tmp_path / "endpoints.yml"
    assert main(["--actions-url", "http://127.0.0.1:5099/webhook", "--out", str(out)]) == 0
    assert "tok-123" not in out.read_text()
    action = AvailableEndpoints.read_endpoints(str(out)).action
    assert action is not None and action.url == "http://127.0.0.1:5099/webhook"
    assert action.headers == {"Authorization": "Bearer tok-123"}
