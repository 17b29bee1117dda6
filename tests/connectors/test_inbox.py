"""Inbox: bounded concurrency, wake-ups, draining, stopping; the PostgreSQL NOTIFY listener."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest

from booking_core.db.session import get_engine
from booking_core.db.types import utcnow
from booking_core.messaging.inbox import INBOX_NOTIFY_CHANNEL
from booking_core.messaging.records import ClaimedJob, Job, TenantInfo
from booking_core.messaging.store import persist_inbound
from connectors.accounts import Account
from connectors.inbound import InboundMessage
from connectors.inbox import Inbox, InboxSettings, NotifyListener

TENANT = TenantInfo(1, "default", "Europe/London", "en_GB")


def claimed(n: int) -> ClaimedJob:
    inbound = InboundMessage("whatsapp", f"m{n}", "u", "u", "text", "hi")
    return ClaimedJob(Job(n, TENANT, n, inbound), None, utcnow())


def IDENT(job: ClaimedJob) -> int:  # noqa: N802 - a constant-like key function
    return job.job.message_id


class FakeStore:
    """Hands out `total` messages, as many as asked for at a time."""

    def __init__(self, total: int) -> None:
        self.left = list(range(total))
        self.asked: list[int] = []

    async def fetch(self, limit: int, exclude: frozenset[int]) -> list[ClaimedJob]:
        self.asked.append(limit)
        taken, self.left = self.left[:limit], self.left[limit:]
        return [claimed(n) for n in taken if n not in exclude]


def test_settings_come_from_the_environment() -> None:
    settings = InboxSettings.from_env(
        {"INBOX_CONCURRENCY": "3", "INBOX_POLL_SECONDS": "0.5", "INBOX_LEASE_SECONDS": "9"}
    )
    assert settings == InboxSettings(3, 0.5, timedelta(seconds=9), "rasa")
    assert InboxSettings.from_env({}) == InboxSettings()
    assert InboxSettings.from_env({"OUTBOX_SENDER": "ingest"}).sender == "ingest"


async def test_never_more_than_concurrency_at_once_and_all_handled() -> None:
    store = FakeStore(10)
    running: list[int] = []
    peak = 0
    done: list[int] = []

    async def handle(job: ClaimedJob) -> None:
        nonlocal peak
        running.append(job.job.message_id)
        peak = max(peak, len(running))
        await asyncio.sleep(0.01)
        running.remove(job.job.message_id)
        done.append(job.job.message_id)

    inbox = Inbox(store.fetch, handle, ident=IDENT, concurrency=3, poll_seconds=60)
    inbox.start()
    await inbox.drain()
    await inbox.stop()
    assert sorted(done) == list(range(10)) and peak == 3
    assert max(store.asked) == 3


async def _run_to_the_end(store: FakeStore, concurrency: int, more: bool | None) -> list[int]:
    """Handle what `store` hands out with handlers that answer `more`; the ids handled."""
    handled: list[int] = []

    async def handle(job: ClaimedJob) -> bool | None:
        await asyncio.sleep(0.001)
        handled.append(job.job.message_id)
        return more

    inbox = Inbox(store.fetch, handle, ident=IDENT, concurrency=concurrency, poll_seconds=60)
    inbox.start()
    await inbox.drain()
    await inbox.stop()
    return handled


async def test_a_finished_item_wakes_a_look_only_when_it_may_have_freed_work() -> None:
    quiet = FakeStore(2)
    assert sorted(await _run_to_the_end(quiet, concurrency=3, more=False)) == [0, 1]
    assert quiet.asked == [3]  # the first look found all there was; the finishes said "no more"
    told = FakeStore(2)
    assert sorted(await _run_to_the_end(told, concurrency=3, more=True)) == [0, 1]
    assert len(told.asked) > 1


async def test_a_full_inbox_looks_again_after_each_finish_whatever_the_handler_says() -> None:
    store = FakeStore(5)
    handled = await _run_to_the_end(store, concurrency=2, more=False)
    assert sorted(handled) == [0, 1, 2, 3, 4]  # not only the first two (the poll is 60 s)


async def test_a_failing_handler_or_fetch_does_not_stop_the_inbox() -> None:
    calls = 0

    async def flaky_fetch(limit: int, exclude: frozenset[int]) -> list[ClaimedJob]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database blip")
        return [claimed(calls)] if calls < 4 else []

    handled: list[int] = []

    async def handle(job: ClaimedJob) -> None:
        handled.append(job.job.message_id)
        raise ValueError("handler bug")

    inbox = Inbox(flaky_fetch, handle, ident=IDENT, concurrency=1, poll_seconds=0.05)
    inbox.start()
    for _ in range(100):
        if len(handled) == 2:
            break
        await asyncio.sleep(0.02)
    await inbox.stop()
    assert handled == [2, 3]


async def test_stop_waits_for_running_messages_then_cancels() -> None:
    finished: list[str] = []

    async def fetch(limit: int, exclude: frozenset[int]) -> list[ClaimedJob]:
        return [claimed(n) for n in (1, 2) if n not in exclude][:limit]

    async def handle(job: ClaimedJob) -> None:
        await asyncio.sleep(0.05 if job.job.message_id == 1 else 10)
        finished.append(str(job.job.message_id))

    inbox = Inbox(fetch, handle, ident=IDENT, concurrency=2, poll_seconds=60)
    inbox.start()
    await asyncio.sleep(0.02)
    await inbox.stop(timeout=0.3)
    assert finished == ["1"] and not inbox.busy


@pytest.mark.postgres
def test_notify_listener_wakes_on_a_message_stored_by_another_process(postgres_url) -> None:
    woken = threading.Event()
    listener = NotifyListener(get_engine(postgres_url), INBOX_NOTIFY_CHANNEL, "telegram", woken.set)
    listener.start()
    try:
        account = Account("whatsapp", "111")
        whatsapp = InboundMessage("whatsapp", "n-wa", "44", "44", "text", "hi")
        telegram = InboundMessage("telegram", "n-tg", "45", "45", "text", "hi")
        assert listener.ready.wait(10)
        persist_inbound(postgres_url, account, whatsapp)  # another channel: no wake-up
        assert not woken.wait(0.5)
        persist_inbound(postgres_url, Account("telegram", "7"), telegram)
        assert woken.wait(5)
    finally:
        listener.stop()


@pytest.mark.postgres
def test_notify_listener_wakes_the_sender_when_replies_are_queued(postgres_url) -> None:
    from datetime import timedelta

    from booking_core.messaging.inbox import claim_next, complete_inbound
    from booking_core.messaging.outbox import OUTBOX_NOTIFY_CHANNEL
    from connectors.outgoing import Outgoing

    woken = threading.Event()
    engine = get_engine(postgres_url)
    listener = NotifyListener(engine, OUTBOX_NOTIFY_CHANNEL, "whatsapp", woken.set)
    listener.start()
    try:
        account = Account("whatsapp", "111")
        assert listener.ready.wait(10)
        for n, replies in enumerate(([], [Outgoing({"n": 1}, "one")])):
            stored = InboundMessage("whatsapp", f"n-out{n}", f"46{n}", f"46{n}", "text", "hi")
            persist_inbound(postgres_url, account, stored)
            [claimed] = claim_next(postgres_url, channel="whatsapp", limit=1,
                                   lease=timedelta(minutes=2))  # fmt: skip
            assert complete_inbound(postgres_url, claimed, error=None, replies=replies,
                                    account_id="111", recipient=f"46{n}")  # fmt: skip
            assert woken.wait(0.5 if not replies else 5) is bool(replies)  # nothing to send: quiet
    finally:
        listener.stop()
