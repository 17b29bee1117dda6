"""Storing a POST's items through the real webhook (signed requests, both backends): poison
deliveries (a lone surrogate, a NUL) are stored cleaned with the item as received kept, and an
item that still fails to store fails alone - not the rest of its batch, not the other POSTs of
its group commit."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import booking_core.messaging.store as store_module
import booking_core.messaging.store as writer_module
from connectors.service import Role
from standins import webhooks as f
from tests.connectors.conftest import (
    IG_APP_SECRET,
    TG_SECRET,
    WA_APP_SECRET,
    running,
    telegram_channel,
    whatsapp_channel,
)
from tests.connectors.conftest import instagram_channel as instagram
from tests.connectors.helpers import contacts, messages

CUT = "\ud83d"  # the first half of an emoji: JSON "\ud83d"
NUL = "\x00"  # JSON "\u0000"
REPLACEMENT = "\ufffd"
ALICE, BOB, CAROL = "447700900101", "447700900102", "447700900103"


def signed(payload: Any, secret: str) -> tuple[bytes, dict[str, str]]:
    body = f.body_bytes(payload)
    return body, f.meta_headers(body, secret)


def raw_of(row: Any) -> Any:
    """The item as received, read back from the stored payload (None when nothing was cut)."""
    raw = row.payload["inbound"].get("raw")
    return json.loads(raw) if raw is not None else None


def poisoned_whatsapp() -> dict[str, Any]:
    value = f.wa_value(
        contacts=[
            f.wa_contact(ALICE, f"Alice {CUT}"),
            f.wa_contact(BOB, f"Bo{NUL}b"),
            f.wa_contact(CAROL),
        ],
        messages=[
            f.wa_message(ALICE, text={"body": f"cut emoji {CUT}"}, wamid="wamid.cut"),
            f.wa_message(BOB, text={"body": f"nul{NUL}byte"}, wamid=f"wamid.n{NUL}l"),
            f.wa_message(
                CAROL,
                "interactive",
                wamid="wamid.press",
                interactive={
                    "type": "button_reply",
                    "button_reply": {"id": "/affirm", "title": f"Y{NUL}es"},
                },
            ),
            f.wa_message(CAROL, text={"body": "after the poison"}, wamid="wamid.after"),
        ],
        statuses=[
            {
                "id": f"wamid.{NUL}{CUT}",
                "status": "read",
                "timestamp": str(f.now()),
                "recipient_id": ALICE,
            }
        ],
    )
    return f.wa_webhook(value)


async def test_whatsapp_poison_is_stored_cleaned_with_the_rest_of_its_batch(
    db_settings, standin
) -> None:
    body, headers = signed(poisoned_whatsapp(), WA_APP_SECRET)
    assert b"\\ud83d" in body and b"\\u0000" in body  # as the platform sends them
    async with running(whatsapp_channel(standin)) as h:
        first = await h.post(body, headers)
        again = await h.post(body, headers)  # a redelivery: nothing stored twice
        await h.settle()
    assert (first.status_code, again.status_code) == (200, 200)
    rows = messages(db_settings, "in")
    assert [r.text for r in rows] == [
        f"cut emoji {REPLACEMENT}",
        f"nul{REPLACEMENT}byte",
        "/affirm",
        "after the poison",
    ]
    assert [r.platform_message_id for r in rows][:2] == ["wamid.cut", f"wamid.n{REPLACEMENT}l"]
    assert {r.status for r in rows} == {"processed"}  # every one reached Rasa and was answered
    assert rows[2].payload["inbound"]["extra"] == {"title": f"Y{REPLACEMENT}es"}
    # The item as received survives in the history, escapes and all.
    assert raw_of(rows[0])["messages"][0]["text"]["body"] == f"cut emoji {CUT}"
    assert raw_of(rows[0])["contacts"][0]["profile"]["name"] == f"Alice {CUT}"
    assert raw_of(rows[1])["messages"][0]["id"] == f"wamid.n{NUL}l"
    assert raw_of(rows[3]) is None  # a clean message carries no copy
    names = {c.platform_user_id: c.display_name for c in contacts(db_settings)}
    assert names == {
        ALICE: f"Alice {REPLACEMENT}",
        BOB: f"Bo{REPLACEMENT}b",
        CAROL: "Alice Example",
    }
    assert len(h.agent.messages) == 4


async def test_telegram_poison_update_is_stored_cleaned_and_the_next_one_follows(
    db_settings, standin
) -> None:
    chat = 777000222
    update = f.tg_text(chat, f"book {CUT} tomorrow")
    update["message"]["from"]["first_name"] = f"Al{NUL}ice"
    headers = f.telegram_headers(TG_SECRET)
    async with running(telegram_channel(standin)) as h:
        first = await h.post(update, headers)
        second = await h.post(f.tg_text(chat, "at 3pm"), headers)
        await h.settle()
    assert (first.status_code, second.status_code) == (200, 200)
    rows = messages(db_settings, "in")
    assert [r.text for r in rows] == [f"book {REPLACEMENT} tomorrow", "at 3pm"]
    assert raw_of(rows[0])["message"]["text"] == f"book {CUT} tomorrow"
    assert raw_of(rows[0])["message"]["from"]["first_name"] == f"Al{NUL}ice"
    assert rows[0].payload["inbound"]["display_name"] == f"Al{REPLACEMENT}ice"
    assert [m.text for m in h.agent.messages] == [f"book {REPLACEMENT} tomorrow", "at 3pm"]


async def test_instagram_poison_is_stored_cleaned_with_the_rest_of_its_batch(
    db_settings, standin
) -> None:
    user = "6512345678900001"
    items = [
        f.ig_item(user, message={"mid": f.ig_mid(), "text": "low half \udc00 alone"}),
        f.ig_item(f"65123{NUL}", message={"mid": f"m{NUL}", "text": f"a{NUL}b"}),
        f.ig_item(user, message={"mid": f.ig_mid(), "text": "after the poison"}),
    ]
    async with running(instagram(standin)) as h:
        response = await h.post(*signed(f.ig_webhook(*items), IG_APP_SECRET))
        await h.settle()
    assert response.status_code == 200
    rows = messages(db_settings, "in")
    assert [r.text for r in rows] == [
        f"low half {REPLACEMENT} alone",
        f"a{REPLACEMENT}b",
        "after the poison",
    ]
    assert rows[1].platform_message_id == f"m{REPLACEMENT}"
    assert raw_of(rows[1])["sender"]["id"] == f"65123{NUL}"
    assert {c.platform_user_id for c in contacts(db_settings)} == {user, f"65123{REPLACEMENT}"}


def _fails_for(poison: str) -> Any:
    """`_insert_inbound` that raises (not a database error) for one platform message id."""
    real = store_module._insert_inbound

    def insert(session, tenant, inbound):  # type: ignore[no-untyped-def]
        if inbound.platform_message_id == poison:
            raise RuntimeError("this item cannot be stored")
        return real(session, tenant, inbound)

    return insert


async def test_an_item_that_fails_to_store_fails_alone_and_its_post_is_answered_200(
    db_settings, standin, monkeypatch, caplog
) -> None:
    caplog.set_level(logging.ERROR, logger="connectors.accept")
    monkeypatch.setattr(store_module, "_insert_inbound", _fails_for("wamid.poison"))
    poisoned = f.wa_webhook(
        f.wa_value(
            contacts=[f.wa_contact(ALICE)],
            messages=[
                f.wa_message(ALICE, text={"body": "poison"}, wamid="wamid.poison"),
                f.wa_message(ALICE, text={"body": "same batch"}, wamid="wamid.same"),
            ],
        )
    )
    other = f.wa_text(BOB, "another POST", wamid="wamid.other")
    async with running(whatsapp_channel(standin, role=Role.INGEST)) as h:
        answers = await asyncio.gather(
            h.post(*signed(poisoned, WA_APP_SECRET)), h.post(*signed(other, WA_APP_SECRET))
        )
    assert [a.status_code for a in answers] == [200, 200]
    stored = {r.platform_message_id for r in messages(db_settings, "in")}
    assert stored == {"wamid.same", "wamid.other"}
    [logged] = [r for r in caplog.records if "wamid.poison" in r.getMessage()]
    assert "not stored" in logged.getMessage() and logged.exc_info is not None


async def test_a_group_commit_that_fails_as_a_whole_is_retried_one_by_one(
    db_settings, standin, monkeypatch
) -> None:
    """A failure outside the per-item path (a bug) must not fail the POSTs that only shared
    the poison item's transaction."""
    real = writer_module.persist_inbound_many
    batches: list[list[str]] = []

    def persist_many(url, items):  # type: ignore[no-untyped-def]
        ids = [inbound.platform_message_id for _, inbound in items]
        batches.append(ids)
        if "wamid.slow" in ids:
            time.sleep(0.3)  # holds the writer: the next deliveries gather behind it
        if "wamid.poison" in ids:
            raise RuntimeError("the whole batch failed")
        return real(url, items)

    monkeypatch.setattr(writer_module, "persist_inbound_many", persist_many)
    channel = whatsapp_channel(standin, role=Role.INGEST)
    channel.writer.parallel = 1
    async with running(channel) as h:
        slow = asyncio.create_task(
            h.post(*signed(f.wa_text(CAROL, "first", wamid="wamid.slow"), WA_APP_SECRET))
        )
        await asyncio.sleep(0.1)
        answers = await asyncio.gather(
            h.post(*signed(f.wa_text(ALICE, "poison", wamid="wamid.poison"), WA_APP_SECRET)),
            h.post(*signed(f.wa_text(BOB, "bystander", wamid="wamid.bystander"), WA_APP_SECRET)),
        )
        assert (await slow).status_code == 200
    assert [a.status_code for a in answers] == [200, 200]
    assert any({"wamid.poison", "wamid.bystander"} <= set(b) for b in batches)  # one transaction
    stored = {r.platform_message_id for r in messages(db_settings, "in")}
    assert stored == {"wamid.slow", "wamid.bystander"}
