"""InstagramPlatform: credentials, quick replies, the shared Meta window."""

from __future__ import annotations

from connectors.instagram.platform import InstagramPlatform
from connectors.meta import MetaPlatform
from connectors.retry import ApiResult

PLATFORM = InstagramPlatform()


def test_account_from_credentials_yml() -> None:
    account = PLATFORM.account_from_credentials({"page_id": "17841", "access_token": "c"})
    assert account is not None and (account.account_id, account.access_token) == ("17841", "c")


def test_quick_replies_and_message_ids() -> None:
    [part] = PLATFORM.format("9001", text="Pick", buttons=[{"title": "A", "payload": "a"}])
    assert part.body["message"]["quick_replies"][0]["title"] == "A"
    result = ApiResult(True, 200, {"message_id": "mid.1"}, None, 1)
    assert PLATFORM.message_id(None, result) == "mid.1"  # type: ignore[arg-type]
    assert isinstance(PLATFORM, MetaPlatform) and not PLATFORM.echo_challenge
