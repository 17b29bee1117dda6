"""The ingest process: the platform webhooks without Rasa (`python -m connectors.ingest`).

It verifies, stores and acknowledges (Role.INGEST, connectors.service), and with
OUTBOX_SENDER=ingest sends the replies the Rasa processes queued, so its
answers never wait behind Rasa's CPU-bound message handling (on a 2-core machine, acks inside a
busy Rasa process took seconds) and a Rasa process dying never interrupts a send. The Rasa
processes' inboxes take the stored messages from the shared database; run them with
OUTBOX_SENDER=ingest so that only this process sends. Same paths and
same channel configuration (credentials.yml) as Rasa: point the platforms, or the load balancer's
/whatsapp_webhook, /telegram_webhook and /instagram_webhook routes, here.

It never imports Rasa (nor TensorFlow): the channel class names of credentials.yml are mapped to
their Rasa-free platforms (PLATFORMS), served by the Rasa-free receiving pipeline.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import re
import socket
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from booking_core.db.repository.health import database_answers
from booking_core.messaging.claimer import CLAIMER_ENV
from connectors.platforms import PLATFORMS
from connectors.service import ChannelService, Role

logger = logging.getLogger(__name__)

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class CredentialsError(ValueError):
    """credentials.yml names a variable that is not set (Rasa refuses it the same way)."""


def _expanded(value: Any, environ: Mapping[str, str]) -> Any:
    """`value` with ${VAR} replaced from the environment, as Rasa's loader does."""
    if isinstance(value, dict):
        return {key: _expanded(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [_expanded(item, environ) for item in value]
    if not isinstance(value, str):
        return value
    missing = [name for name in _VAR.findall(value) if name not in environ]
    if missing:
        raise CredentialsError(f"unset environment variables in credentials: {', '.join(missing)}")
    return _VAR.sub(lambda match: environ[match.group(1)], value)


def read_credentials(
    credentials_file: str, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The platform channels of a credentials file, any `${VAR}` a developer wrote expanded as
    Rasa would (the others, e.g. REST, are not read). The sections of the project's
    credentials.yml name no variable: each platform reads its own (`Platform.default_account`)."""
    data = yaml.safe_load(Path(credentials_file).read_text()) or {}
    env = os.environ if environ is None else environ
    return {str(name): _expanded(block, env) for name, block in data.items() if name in PLATFORMS}


def ingest_services(credentials_file: str, role: Role = Role.INGEST) -> list[ChannelService]:
    """The platform channels of `credentials_file` (other channels, e.g. REST, are Rasa's
    only): they store and acknowledge, never handle, and send only with OUTBOX_SENDER=ingest."""
    services = []
    for name, block in read_credentials(credentials_file).items():
        platform_class = PLATFORMS.get(name)
        if platform_class is None:
            continue
        platform = platform_class()
        account = platform.default_account(block)
        services.append(ChannelService(platform, account, role=role))
    return services


def create_app(
    services: list[ChannelService], name: str = "booking_ingest", threads: int = 8
) -> Sanic:
    """A Sanic app serving the channels' webhooks at Rasa's paths, plus GET /health (liveness:
    the event loop answers) and GET /ready (readiness: the database answers too)."""
    app = Sanic(name)
    # Longer than a load balancer's idle timeout (60 s on the common ones): the balancer, not
    # this process, closes idle connections, so no request is sent on a closing connection.
    app.config.KEEP_ALIVE_TIMEOUT = int(os.environ.get("INGEST_KEEP_ALIVE_SECONDS") or 75)
    for service in services:
        app.blueprint(service.blueprint())

    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok", "channels": [s.channel for s in services]})

    app.add_route(health, "/health", methods=["GET"])

    async def ready(request: Request) -> HTTPResponse:
        # Storing is what an acknowledgement promises: not ready while the database is away
        # (a balancer sends the platforms' deliveries elsewhere instead of getting 503s).
        database_url = services[0].database_url if services else None
        if await asyncio.to_thread(database_answers, database_url):
            return response.json({"status": "ok", "database": "ok"})
        return response.json({"status": "unavailable", "database": "unreachable"}, status=503)

    app.add_route(ready, "/ready", methods=["GET"])

    async def more_threads(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        # The reply sender's claims and records, status receipts and account lookups are
        # database calls in worker threads, mostly waiting on PostgreSQL; asyncio's default pool
        # (cores + 4 threads) queued them. Deliveries have the group commit's own threads.
        loop.set_default_executor(ThreadPoolExecutor(threads, thread_name_prefix="ingest"))

    async def freeze_start_up_objects(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        # The objects start-up leaves live as long as the process; frozen, full garbage
        # collections skip them (with Rasa imported they were ~500,000, ~200 ms per collection).
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


def shared_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket that other processes may bind too (SO_REUSEPORT): the kernel
    spreads connections over the ingest processes, and when one dies the others keep taking
    them, with no proxy in front and no shared parent that could die with them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def main(argv: list[str] | None = None) -> int:
    """Serve until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", default="var/credentials.enabled.yml")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=int(os.environ.get("INGEST_PORT") or 5050))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("INGEST_WORKERS") or 1))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("INGEST_THREADS") or 8),
                        help="database worker threads")  # fmt: skip
    parser.add_argument("--reuse-port", action="store_true",
                        help="share the port with other processes (SO_REUSEPORT)")  # fmt: skip
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_PRE_PING", "0")  # see booking_core.db.session
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.workers > 1 and os.environ.pop(CLAIMER_ENV, None):
        # Sanic's workers would share the id and take each other's claims.
        logger.warning("%s ignored with --workers %d: run one process per id (--reuse-port)",
                       CLAIMER_ENV, args.workers)  # fmt: skip
    services = ingest_services(args.credentials)
    if not services:
        parser.error(f"{args.credentials} configures no platform channel")
    app = create_app(services, threads=args.threads)
    logger.info("ingest serving %s on :%d", ", ".join(s.channel for s in services), args.port)
    # A burst must queue in the kernel, not be refused: the default listen backlog is 100.
    run_options: dict[str, Any] = {"access_log": False, "workers": args.workers, "backlog": 1024}
    if args.reuse_port:
        run_options["sock"] = shared_socket(args.host, args.port)
    else:
        run_options.update(host=args.host, port=args.port)
    app.run(**run_options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
