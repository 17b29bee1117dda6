"""The Platform interface's shared parts, and that every platform provides all of it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from connectors.accounts import Account
from connectors.inbound import InboundMessage
from connectors.instagram.platform import InstagramPlatform
from connectors.meta import META_REPLY_WINDOW, OUTSIDE_WINDOW, within_window
from connectors.outgoing import Outgoing
from connectors.platform import Platform, Refusal, optional, stored_form
from connectors.telegram.platform import TelegramPlatform
from connectors.whatsapp.platform import WhatsAppPlatform

PLATFORMS = [WhatsAppPlatform(), TelegramPlatform(), InstagramPlatform()]


def inbound(account_id: str = "1", sent_at: datetime | None = None) -> InboundMessage:
    return InboundMessage("whatsapp", "m1", "u1", "u1", "text", "hi", account_id=account_id,
                          sent_at=sent_at)  # fmt: skip


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.channel)
def test_every_platform_formats_and_notices_one_plain_part(platform: Platform) -> None:
    parts = platform.format("42", text="It is booked.")
    assert len(parts) == 1 and parts[0].text == "It is booked."
    notice = platform.notice("42", "It is booked.")
    assert notice["request"] == parts[0].body
    assert platform.account_from_credentials({}) is None  # nothing configured: database only


def test_stored_form_keeps_the_method_only_where_there_is_one() -> None:
    assert stored_form(Outgoing({"a": 1}, "t")) == {"request": {"a": 1}}
    assert stored_form(Outgoing({"a": 1}, "t", method="sendPhoto"))["method"] == "sendPhoto"


def test_optional_treats_unset_credentials_as_absent() -> None:
    assert (optional(None), optional(""), optional(12)) == (None, None, "12")


def test_default_routing_is_by_account_id_and_a_bad_body_is_a_400() -> None:
    platform = WhatsAppPlatform()
    first, second = Account("whatsapp", "1"), Account("whatsapp", "2")
    assert platform.route(inbound("2"), [first, second]) is second
    assert platform.route(inbound("3"), [first, second]) is None
    refused = platform.parsed(b"not json", [first])
    assert isinstance(refused, Refusal) and refused.status == 400


def test_one_reply_window_for_meta_and_none_for_telegram() -> None:
    now = datetime(2026, 1, 2, 12, tzinfo=timezone.utc)
    assert timedelta(hours=24) == META_REPLY_WINDOW
    assert WhatsAppPlatform.reply_window == InstagramPlatform.reply_window == META_REPLY_WINDOW
    assert TelegramPlatform.reply_window is None
    assert within_window(now - timedelta(hours=23), now=now)
    assert not within_window(now - timedelta(hours=25), now=now)
    assert within_window(None, now=now)  # unknown counts as recent
    old = inbound(sent_at=datetime.now(timezone.utc) - timedelta(days=2))
    assert WhatsAppPlatform().skip_reason(old) == InstagramPlatform().skip_reason(old)
    assert WhatsAppPlatform().skip_reason(old) == OUTSIDE_WINDOW
    assert TelegramPlatform().skip_reason(old) is None


@pytest.mark.parametrize("platform", ["whatsapp", "telegram", "instagram"])
def test_platform_modules_never_import_the_shared_pipeline_rasa_or_sanic(platform: str) -> None:
    import ast
    from pathlib import Path

    import connectors

    forbidden = ("connectors.webhook", "connectors.handling", "connectors.sending",
                 "connectors.receiving", "connectors.service", "rasa", "sanic")  # fmt: skip
    root = Path(connectors.__file__).parent
    for path in [root / "platform.py", root / "meta.py", *(root / platform).glob("[!_]*.py")]:
        if path.name in ("channel.py",):
            continue  # the Rasa adapter of the package
        tree = ast.parse(path.read_text())
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        bad = [m for m in imported if m.startswith(forbidden)]
        assert not bad, (path.name, bad)
