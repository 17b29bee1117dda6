"""Group commit: concurrent deliveries share transactions, each POST gets its own outcome."""

from __future__ import annotations

import asyncio

import pytest

import booking_core.messaging.store as writer_module
from booking_core.errors import UnknownTenantError
from booking_core.messaging.records import Job
from booking_core.messaging.store import InboundWriter
from connectors.accounts import Account
from tests.booking_core.messaging.test_store import ACCOUNT, inbound
from tests.connectors.helpers import messages


async def test_concurrent_deliveries_share_transactions_and_each_gets_its_result(
    db_settings, monkeypatch
) -> None:
    batches: list[int] = []
    real = writer_module.persist_inbound_many

    def counting(url, items):  # type: ignore[no-untyped-def]
        batches.append(len(items))
        return real(url, items)

    monkeypatch.setattr(writer_module, "persist_inbound_many", counting)
    writer = InboundWriter(None, max_batch=8, parallel=1)
    deliveries = [inbound(f"wamid.w{n}", user=f"44770000{n:04d}") for n in range(20)]
    results = await asyncio.gather(
        *(writer.persist(ACCOUNT, d) for d in deliveries),
        writer.persist(ACCOUNT, deliveries[0]),  # a redelivery among them
    )
    jobs = [r for r in results if r is not None]
    assert len(jobs) == 20 and all(isinstance(j, Job) for j in jobs)
    assert {j.inbound.platform_message_id for j in jobs} == {
        d.platform_message_id for d in deliveries
    }
    assert len(messages(db_settings)) == 20
    assert sum(batches) == 21 and max(batches) == 8 and len(batches) < 21  # grouped, bounded


async def test_an_item_error_reaches_only_its_own_caller(db_settings) -> None:
    writer = InboundWriter(None)
    gone = Account("whatsapp", "222", tenant_id=987654)
    good, bad = await asyncio.gather(
        writer.persist(ACCOUNT, inbound("wamid.ok")),
        writer.persist(gone, inbound("wamid.bad", user="448")),
        return_exceptions=True,
    )
    assert isinstance(good, Job)
    assert isinstance(bad, UnknownTenantError)


async def test_a_cancelled_caller_does_not_stop_the_batch(db_settings) -> None:
    writer = InboundWriter(None)
    first = asyncio.create_task(writer.persist(ACCOUNT, inbound("wamid.c1", user="4471")))
    second = asyncio.create_task(writer.persist(ACCOUNT, inbound("wamid.c2", user="4472")))
    await asyncio.sleep(0)
    first.cancel()  # the platform hung up: the delivery is still stored (it will redeliver)
    assert isinstance(await second, Job)
    with pytest.raises(asyncio.CancelledError):
        await first
    while not writer.idle:
        await asyncio.sleep(0.01)
    assert len(messages(db_settings)) == 2


async def test_no_more_transactions_in_flight_than_parallel(db_settings, monkeypatch) -> None:
    import threading
    import time

    in_flight, most = 0, 0
    lock = threading.Lock()
    real = writer_module.persist_inbound_many

    def slow(url, items):  # type: ignore[no-untyped-def]
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.02)  # a commit waiting for the disk
        try:
            return real(url, items)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(writer_module, "persist_inbound_many", slow)
    writer = InboundWriter(None, max_batch=2, parallel=2)
    deliveries = [inbound(f"wamid.p{n}", user=f"44771000{n:04d}") for n in range(12)]
    results = await asyncio.gather(*(writer.persist(ACCOUNT, d) for d in deliveries))
    assert all(isinstance(r, Job) for r in results)
    assert most == 2 and writer.idle


async def test_a_delivery_right_after_the_last_batch_is_still_written(db_settings) -> None:
    # One POST with several messages stores them one after another: each new delivery arrives
    # just as the writer that stored the previous one is finishing. None may be stranded.
    writer = InboundWriter(None, parallel=1)

    async def one_post() -> list[Job | None]:
        return [
            await writer.persist(ACCOUNT, inbound(f"wamid.s{n}", user="4479")) for n in range(5)
        ]

    jobs = await asyncio.wait_for(one_post(), timeout=10)
    assert all(isinstance(job, Job) for job in jobs)
    assert len(messages(db_settings)) == 5


async def test_acknowledgements_never_wait_for_the_loop_s_busy_thread_pool(sqlite_settings) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    loop = asyncio.get_running_loop()
    shared = ThreadPoolExecutor(1)
    loop.set_default_executor(shared)  # e.g. the reply sender's database calls fill the pool
    release = threading.Event()
    busy = asyncio.ensure_future(asyncio.to_thread(release.wait, 30))
    try:
        job = await asyncio.wait_for(
            InboundWriter(None).persist(ACCOUNT, inbound("wamid.pool")), timeout=10
        )
        assert job is not None
    finally:
        release.set()
        await busy
    assert [m.platform_message_id for m in messages(sqlite_settings)] == ["wamid.pool"]
