"""Repository (crud) functions for messages, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from booking_core.db import repository as repo
from booking_core.db.models import Contact, Message
from booking_core.db.session import session_scope
from tests.booking_core.repository_factories import UTC, make_contact, make_tenant


class TestMessages:
    def test_record_and_duplicate(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        contact_id = make_contact(db_url, tenant_id)
        sent_at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
        with session_scope(db_url) as session:
            message = repo.record_message(
                session,
                tenant_id=tenant_id,
                contact_id=contact_id,
                channel="whatsapp",
                direction="in",
                text="book a haircut",
                payload={"raw": [1, 2]},
                platform_message_id="wamid.1",
                sent_at=sent_at,
            )
            assert message is not None and message.status == "received"
            # The duplicate does not spoil the surrounding transaction.
            duplicate = repo.record_message(
                session,
                tenant_id=tenant_id,
                contact_id=contact_id,
                channel="whatsapp",
                direction="in",
                text="book a haircut",
                platform_message_id="wamid.1",
            )
            assert duplicate is None
            assert repo.get_message(session, message_id=message.id) is not None
        with session_scope(db_url) as session:
            assert session.scalar(select(func.count()).select_from(Message)) == 1
            stored = repo.get_message_by_platform_id(
                session, tenant_id=tenant_id, channel="whatsapp", platform_message_id="wamid.1"
            )
            assert stored is not None
            assert stored.payload == {"raw": [1, 2]}
            assert stored.sent_at == sent_at
            contact = session.get(Contact, contact_id)
            assert contact is not None and contact.last_inbound_at == sent_at

    def test_duplicate_in_new_transaction(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        contact_id = make_contact(db_url, tenant_id)
        kwargs: dict[str, Any] = {
            "tenant_id": tenant_id,
            "contact_id": contact_id,
            "channel": "whatsapp",
            "direction": "in",
            "platform_message_id": "wamid.X",
        }
        with session_scope(db_url) as session:
            assert repo.record_message(session, **kwargs) is not None
        with session_scope(db_url) as session:
            assert repo.record_message(session, **kwargs) is None

    def test_same_platform_id_other_channel_or_tenant_is_not_duplicate(self, db_url: str) -> None:
        a, b = make_tenant(db_url, "a"), make_tenant(db_url, "b")
        ca = make_contact(db_url, a)
        ca_tg = make_contact(db_url, a, channel="telegram")
        cb = make_contact(db_url, b)
        with session_scope(db_url) as session:
            for tenant_id, contact_id, channel in (
                (a, ca, "whatsapp"),
                (a, ca_tg, "telegram"),
                (b, cb, "whatsapp"),
            ):
                assert (
                    repo.record_message(
                        session,
                        tenant_id=tenant_id,
                        contact_id=contact_id,
                        channel=channel,
                        direction="in",
                        platform_message_id="same",
                    )
                    is not None
                )

    def test_messages_without_platform_id_never_collide(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        contact_id = make_contact(db_url, tenant_id)
        with session_scope(db_url) as session:
            for _ in range(3):
                message = repo.record_message(
                    session,
                    tenant_id=tenant_id,
                    contact_id=contact_id,
                    channel="whatsapp",
                    direction="out",
                    text="hi",
                )
                assert message is not None and message.status == "sent"

    def test_concurrent_duplicates_store_one_row(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        contact_id = make_contact(db_url, tenant_id)
        workers = 8
        barrier = threading.Barrier(workers)
        results: list[bool] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def deliver() -> None:
            try:
                barrier.wait(timeout=10)
                with session_scope(db_url) as session:
                    message = repo.record_message(
                        session,
                        tenant_id=tenant_id,
                        contact_id=contact_id,
                        channel="whatsapp",
                        direction="in",
                        text="retry",
                        platform_message_id="wamid.race",
                    )
                    stored = message is not None
                with lock:
                    results.append(stored)
            except BaseException as exc:  # surfaced below
                with lock:
                    errors.append(exc)

        threads = [threading.Thread(target=deliver) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        assert sorted(results) == [False] * (workers - 1) + [True]
        with session_scope(db_url) as session:
            count = session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.platform_message_id == "wamid.race")
            )
        assert count == 1

    def test_mark_message(self, db_url: str) -> None:
        tenant_id = make_tenant(db_url)
        contact_id = make_contact(db_url, tenant_id)
        with session_scope(db_url) as session:
            inbound = repo.record_message(
                session,
                tenant_id=tenant_id,
                contact_id=contact_id,
                channel="whatsapp",
                direction="in",
            )
            outbound = repo.record_message(
                session,
                tenant_id=tenant_id,
                contact_id=contact_id,
                channel="whatsapp",
                direction="out",
                platform_message_id="wamid.out",
            )
        assert inbound is not None and outbound is not None
        with session_scope(db_url) as session:
            processed = repo.mark_message(session, message_id=inbound.id, status="processed")
            assert processed is not None and processed.processed_at is not None
            repo.mark_message(session, message_id=outbound.id, status="read")
            late = repo.mark_message(session, message_id=outbound.id, status="delivered")
            assert late is not None and late.status == "read"
            failed = repo.mark_message(
                session, message_id=outbound.id, status="failed", error="131047"
            )
            assert failed is not None
            assert (failed.status, failed.error) == ("failed", "131047")
            assert repo.mark_message(session, message_id=999_999, status="read") is None
            with pytest.raises(ValueError):
                repo.mark_message(session, message_id=inbound.id, status="lost")

    def test_validation(self, db_url: str) -> None:
        a, b = make_tenant(db_url, "a"), make_tenant(db_url, "b")
        contact_b = make_contact(db_url, b)
        with session_scope(db_url) as session:
            with pytest.raises(ValueError, match="direction"):
                repo.record_message(
                    session, tenant_id=b, contact_id=contact_b, channel="whatsapp", direction="x"
                )
            with pytest.raises(ValueError, match="does not belong"):
                repo.record_message(
                    session, tenant_id=a, contact_id=contact_b, channel="whatsapp", direction="in"
                )
            with pytest.raises(ValueError, match="timezone-aware"):
                repo.record_message(
                    session,
                    tenant_id=b,
                    contact_id=contact_b,
                    channel="whatsapp",
                    direction="in",
                    sent_at=datetime(2026, 1, 1),
                )
