"""Measure the Duckling fallback path: parse latency with Duckling down or hung.

Starts loopback stand-ins (a closed port, and a server that never answers), runs the
DucklingClient over a few booking phrases and prints per-phrase latency: the first call pays
the connection error or the timeout, later calls inside the skip window cost only the
embedded parser. No outside network.
"""

from __future__ import annotations

import socket
import statistics
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu.duckling import DucklingClient
from nlu.timeparse import warm_up

PHRASES = [
    "book a haircut tomorrow at 3pm for 45 minutes",
    "next friday from 10 to 11:30",
    "an hour and a half",
    "the 3rd of december at noon",
] * 25
REF = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _hung_server() -> tuple[int, socket.socket]:
    """A listening socket that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(sock.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return int(sock.getsockname()[1]), sock


def measure(label: str, client: DucklingClient) -> None:
    """Print first-call and steady-state latency in ms."""
    times = []
    for phrase in PHRASES:
        started = time.perf_counter()
        client.parse(phrase, REF, "Europe/London", bare_hour_policy="business_hours")
        times.append((time.perf_counter() - started) * 1000)
    rest = sorted(times[1:])
    p95 = rest[int(len(rest) * 0.95) - 1]
    print(f"{label:<28} first {times[0]:8.1f} ms   then median {statistics.median(rest):.2f} ms"
          f"  p95 {p95:.2f} ms  ({len(times)} phrases)")  # fmt: skip


def main() -> int:
    """Run both outage kinds with Rasa's default 3 s timeout."""
    warm_up()
    measure("Duckling down (refused)", DucklingClient(f"http://127.0.0.1:{_closed_port()}"))
    port, sock = _hung_server()
    try:
        measure("Duckling hung (3 s timeout)", DucklingClient(f"http://127.0.0.1:{port}"))
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
