"""The ingest process: the platform webhooks without Rasa (`python -m connectors.ingest`).

It verifies, stores and acknowledges, and sends the replies the Rasa processes queued, so its
answers never wait behind Rasa's CPU-bound message handling (on a 2-core machine, acks inside a
busy Rasa process took seconds) and a Rasa process dying never interrupts a send. The Rasa
processes' inboxes take the stored messages from the shared database; run them with
OUTBOX_SENDER=ingest so that only this process sends. Same paths and
same channel configuration (credentials.yml) as Rasa: point the platforms, or the load balancer's
/whatsapp_webhook, /telegram_webhook and /instagram_webhook routes, here.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rasa.core.channels.channel import UserMessage, register
from rasa.core.run import create_http_input_channels
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.webhook import WebhookInput

logger = logging.getLogger(__name__)


class IngestOnly:
    """Stands in for Rasa's agent: the ingest process must never handle a message."""

    async def handle_message(self, message: UserMessage) -> None:
        raise RuntimeError("the ingest process does not handle messages")


def ingest_channels(credentials_file: str) -> list[WebhookInput]:
    """The platform channels of `credentials_file`, loaded by Rasa's own loader: they store
    and acknowledge, never handle, and send the queued replies."""
    channels = [
        channel
        for channel in create_http_input_channels(None, credentials_file)
        if isinstance(channel, WebhookInput)
    ]
    for channel in channels:
        channel.consume = False
        channel.send_replies = True
    return channels


def create_app(
    channels: list[WebhookInput], name: str = "booking_ingest", threads: int = 8
) -> Sanic:
    """A Sanic app serving the channels' webhooks at Rasa's paths, plus GET /health."""
    app = Sanic(name)
    # Longer than a load balancer's idle timeout (60 s on the common ones): the balancer, not
    # this process, closes idle connections, so no request is sent on a closing connection.
    app.config.KEEP_ALIVE_TIMEOUT = int(os.environ.get("INGEST_KEEP_ALIVE_SECONDS") or 75)
    app.ctx.agent = IngestOnly()
    register(list(channels), app, route="/webhooks/")

    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok", "channels": [c.name() for c in channels]})

    app.add_route(health, "/health", methods=["GET"])

    async def more_threads(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        # The reply sender's claims and records, status receipts and account lookups are
        # database calls in worker threads, mostly waiting on PostgreSQL; asyncio's default pool
        # (cores + 4 threads) queued them. Deliveries have the group commit's own threads.
        loop.set_default_executor(ThreadPoolExecutor(threads, thread_name_prefix="ingest"))

    async def freeze_start_up_objects(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        # Rasa's imports (TensorFlow among them) leave ~500,000 objects that live as long as
        # the process; each full garbage collection walked them all (~200 ms, measured), which
        # showed as acknowledgement spikes every few seconds under load. Frozen, they are skipped.
        gc.collect()
        gc.freeze()

    async def watch_event_loop(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        app.ctx.watchdog = loop.create_task(event_loop_watchdog())

    async def stop_watching(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        watchdog = getattr(app.ctx, "watchdog", None)
        if watchdog is not None:
            watchdog.cancel()

    app.register_listener(more_threads, "before_server_start")
    app.register_listener(freeze_start_up_objects, "after_server_start")
    app.register_listener(watch_event_loop, "after_server_start")
    app.register_listener(stop_watching, "before_server_stop")
    return app


async def event_loop_watchdog(tick: float = 0.05, warn_after: float = 0.1) -> None:
    """Log when the event loop could not run for longer than `warn_after` seconds: every
    acknowledgement of this worker waited that long (a blocking call, a long garbage
    collection, the machine not scheduling the process). Tells such stalls apart from slow
    database commits, which leave the loop free."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(tick)
        late = loop.time() - before - tick
        if late > warn_after:
            logger.warning("event loop stalled for %.0f ms (pid %d)", late * 1000, os.getpid())


def main(argv: list[str] | None = None) -> int:
    """Serve until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", default="var/credentials.enabled.yml")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=int(os.environ.get("INGEST_PORT") or 5050))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("INGEST_WORKERS") or 1))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("INGEST_THREADS") or 8),
                        help="database worker threads")  # fmt: skip
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_PRE_PING", "0")  # see booking_core.db.session
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    channels = ingest_channels(args.credentials)
    if not channels:
        parser.error(f"{args.credentials} configures no platform channel")
    app = create_app(channels, threads=args.threads)
    logger.info("ingest serving %s on :%d", ", ".join(c.name() for c in channels), args.port)
    # A burst must queue in the kernel, not be refused: the default listen backlog is 100.
    run_options: dict[str, Any] = {"access_log": False, "workers": args.workers, "backlog": 1024}
    app.run(host=args.host, port=args.port, **run_options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
