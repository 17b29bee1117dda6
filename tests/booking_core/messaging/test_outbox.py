"""A send that went out is recorded as sent even when its bookkeeping write fails (both
backends, through the real webhook and the stand-in): the conversation's next reply goes out
at once, and nothing is sent twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import OperationalError

import booking_core.messaging.outbox as outcome
from tests.connectors import factories as f
from tests.connectors.conftest import WA_APP_SECRET, FakeAgent, running, whatsapp_channel
from tests.connectors.helpers import messages
from tests.connectors.standins import text_of

USER = "447700900401"


def two_parts(message: Any) -> list[dict[str, Any]]:
    return [{"text": f"{message.text}: part one"}, {"text": f"{message.text}: part two"}]


def graph_answer(wamid: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "contacts": [{"input": USER, "wa_id": USER}],
            "messages": [{"id": wamid}]}  # fmt: skip


async def post(h: Any, text: str) -> None:
    body = f.body_bytes(f.wa_text(USER, text))
    assert (await h.post(body, f.meta_headers(body, WA_APP_SECRET))).status_code == 200
    await h.settle()


async def test_a_platform_id_already_stored_records_the_reply_sent_without_it(
    db_settings, standin
) -> None:
    async with running(whatsapp_channel(standin), FakeAgent(reply=two_parts)) as h:
        await post(h, "first")
        taken = messages(db_settings, "out")[0].platform_message_id
        # The read receipt of the next message, then its first reply part, get that id back.
        standin.fail_next("/messages", 200, graph_answer(taken), times=2)
        await post(h, "second")
    rows = messages(db_settings, "out")
    assert [(r.text, r.status) for r in rows] == [
        ("first: part one", "sent"), ("first: part two", "sent"),
        ("second: part one", "sent"), ("second: part two", "sent"),
    ]  # fmt: skip
    duplicate = rows[2]
    assert duplicate.platform_message_id is None
    assert duplicate.error == outcome.DUPLICATE_ID_NOTE.format(platform_message_id=taken)
    assert rows[0].platform_message_id == taken and rows[3].platform_message_id is not None
    sent = [text_of(r) for r in standin.messages("/whatsapp")]
    assert sent == [r.text for r in rows]  # each part once, in order


async def test_a_failed_record_is_tried_again_and_ends_sent(
    db_settings, standin, monkeypatch
) -> None:
    real = outcome.finish_outbound
    failures = [OperationalError("UPDATE messages", {}, Exception("server closed"))]

    def flaky(*args: Any, **kwargs: Any) -> bool:
        if failures and kwargs.get("platform_message_id"):
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(outcome, "finish_outbound", flaky)
    monkeypatch.setattr(outcome, "RECORD_DELAYS", (0.01, 0.01))
    async with running(whatsapp_channel(standin), FakeAgent(reply=two_parts)) as h:
        await post(h, "hello")
    rows = messages(db_settings, "out")
    assert [(r.status, r.error) for r in rows] == [("sent", None), ("sent", None)]
    assert all(r.platform_message_id for r in rows) and not failures
    assert len(standin.messages("/whatsapp")) == 2
