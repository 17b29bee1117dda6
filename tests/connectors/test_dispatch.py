"""SenderQueues: in order per sender, in parallel across senders, errors contained."""

from __future__ import annotations

import asyncio

from connectors.dispatch import SenderQueues


async def test_order_per_sender_and_parallel_senders() -> None:
    log: list[tuple[str, int]] = []
    running: set[str] = set()
    overlap: list[bool] = []

    async def handle(item: tuple[str, int]) -> None:
        sender, n = item
        assert sender not in running  # never two at once for one sender
        running.add(sender)
        overlap.append(len(running) > 1)
        await asyncio.sleep(0.01 * (3 - n % 3))
        log.append(item)
        running.discard(sender)

    queues: SenderQueues[tuple[str, int]] = SenderQueues(handle)
    for n in range(6):
        for sender in ("a", "b"):
            queues.submit(sender, (sender, n))
    assert queues.busy
    await queues.drain()
    assert [n for s, n in log if s == "a"] == list(range(6))
    assert [n for s, n in log if s == "b"] == list(range(6))
    assert any(overlap) and not queues.busy


async def test_a_failing_item_does_not_stop_the_sender(caplog) -> None:
    seen: list[int] = []

    async def handle(n: int) -> None:
        if n == 1:
            raise RuntimeError("boom")
        seen.append(n)

    queues: SenderQueues[int] = SenderQueues(handle)
    for n in range(3):
        queues.submit("a", n)
    await queues.drain()
    assert seen == [0, 2] and "boom" in caplog.text


async def test_cancel() -> None:
    async def handle(n: int) -> None:
        await asyncio.sleep(10)

    queues: SenderQueues[int] = SenderQueues(handle)
    queues.submit("a", 1)
    await asyncio.sleep(0)
    await queues.cancel()
    assert not queues.busy
