"""The benchmark's load: an open-loop sender in a second process and the replies it caused."""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

from standins import webhooks as f
from standins.platform_apis import StandIn

APP_SECRET = "bench-secret"


def send_schedule(
    kind: str, urls: list[str], rate: float, seconds: float, first_user: int, out: Any
) -> None:
    """Child process: open-loop sender; puts (user, sent_at, latency_s, status, lag_s).

    Bodies and signatures are prepared before the clock starts and the requests go out from
    one asyncio loop over pooled keep-alive connections (aiohttp), so the sender's own CPU cost
    per request is small and it keeps the schedule on a busy machine. `lag_s` is how late a
    request left against its schedule: reported, so a late sender is visible, not hidden.
    """
    import asyncio

    import aiohttp

    total = int(rate * seconds)
    prepared: list[tuple[str, str, bytes, dict[str, str]]] = []
    for n in range(total):
        user = f"4477{first_user + n:08d}"
        if kind == "whatsapp":
            body = f.body_bytes(f.wa_text(user, "hello", wamid=f"wamid.bench{first_user + n}"))
            headers = f.meta_headers(body, APP_SECRET)
        else:
            body = f.body_bytes({"sender": user, "message": "hello"})
            headers = {"Content-Type": "application/json"}
        prepared.append((user, urls[n % len(urls)], body, headers))

    async def run() -> None:
        # Idle connections are dropped by the client before the server's keep-alive timeout
        # (ingest: 75 s, Rasa: Sanic's 5 s), as a platform's sender or a load balancer does.
        connector = aiohttp.TCPConnector(limit=512, keepalive_timeout=4)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            loop = asyncio.get_running_loop()
            start = loop.time() + 0.5
            wall = time.time() - loop.time()

            async def one(n: int) -> None:
                user, url, body, headers = prepared[n]
                sent = loop.time()
                try:
                    async with session.post(url, data=body, headers=headers) as answer:
                        await answer.read()
                        status = answer.status
                    error = ""
                except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                    status, error = 0, type(exc).__name__
                done = loop.time()
                lag = sent - (start + n / rate)
                out.put((user, wall + sent, done - sent, status, lag, error))

            tasks = []
            for n in range(total):
                delay = start + n / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(n)))
            await asyncio.gather(*tasks)

    asyncio.run(run())
    out.put(None)


def run_load(kind: str, urls: list[str], rate: float, seconds: float, first_user: int) -> list[Any]:
    """Runs the sender in a second process and collects its results."""
    queue: Any = multiprocessing.Queue()
    proc = multiprocessing.Process(
        target=send_schedule, args=(kind, urls, rate, seconds, first_user, queue)
    )
    proc.start()
    results = []
    while (item := queue.get()) is not None:
        results.append(item)
    proc.join()
    return results


def wait_replies(standin: StandIn, users: set[str], timeout: float) -> dict[str, list[float]]:
    """Reply arrival times per user at the stand-in, waiting until all arrived or timeout."""
    deadline = time.monotonic() + timeout
    while True:
        replies: dict[str, list[float]] = {}
        for r in standin.messages("/whatsapp"):
            to = r.json.get("to") if isinstance(r.json, dict) else None
            if to in users:
                replies.setdefault(to, []).append(r.at)
        if len(replies) >= len(users) or time.monotonic() > deadline:
            return replies
        time.sleep(0.2)
