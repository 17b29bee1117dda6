"""Fault tests of the real launcher: `scripts/run_prod.sh` (supervisord, deploy/supervisord.conf)
on a fresh PostgreSQL schema and Redis, WhatsApp's Graph API a stand-in on loopback.

Signed WhatsApp deliveries arrive at 20/s: 60, one process SIGKILLed after the 20th, then 10
more. Every delivery is POSTed again after a refusal (as the platform redelivers) until
acknowledged. Each test asserts that every acknowledged delivery is answered exactly once, that
deliveries after the kill are acknowledged within seconds (the other processes kept serving),
that supervisord restarted the killed process, and that messages it held are taken back by its
restart well before the 120 s lease; it prints the time from the kill to the first answer of the
surviving processes and of the restarted one. At the end the launcher is stopped with SIGTERM
and must stop every process (tests/integration/launcher.py).
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from booking_core.db.session import dispose_engines
from booking_core.messaging.outbox import UNKNOWN_SEND_OUTCOME
from booking_core.messaging.pg_connection import close_connections
from standins import webhooks as f
from standins.platform_apis import Recorded, text_of
from tests.integration import clusters
from tests.integration.launcher import Launcher, get, run_prod

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

RATE = 20.0  # deliveries per second
BURST, KILL_AFTER, AFTERWARDS = 60, 20, 10
LEASE = 120.0  # INBOX_LEASE_SECONDS of the launcher (tests/integration/launcher.py)


@pytest.fixture
def launcher(tmp_path: Path, fresh_postgres_url: str, redis_url: str) -> Iterator[Launcher]:
    """scripts/run_prod.sh, running. The test process first gives back the PostgreSQL
    connections earlier tests left open (engines, per-thread queue connections): the launched
    processes need their own, and the server allows 100 in all."""
    close_connections()
    dispose_engines()
    with run_prod(tmp_path, fresh_postgres_url, redis_url) as running:
        yield running


@dataclass
class Delivery:
    """One delivery: when it was first POSTed, when acknowledged (None: never), how often."""

    user: str
    first_try: float
    acked: float | None
    tries: int


def _deliver(url: str, user: str, give_up: float) -> Delivery:
    """POST one signed delivery, again every 0.5 s after a refusal, until acknowledged."""
    body = f.body_bytes(f.wa_text(user, "hello"))
    headers = f.meta_headers(body, clusters.FAULT_APP_SECRET)
    first, tries = time.time(), 0
    while time.time() < give_up:
        tries += 1
        try:
            status = requests.post(f"{url}/whatsapp_webhook", data=body, headers=headers,
                                   timeout=10).status_code  # fmt: skip
        except requests.RequestException:
            status = 0
        if status == 200:
            return Delivery(user, first, time.time(), tries)
        time.sleep(0.5)
    return Delivery(user, first, None, tries)


@dataclass
class Kill:
    """The SIGKILL: its time, the victim's pid, the inbound rows it held unfinished."""

    at: float = 0.0
    pid: int = 0
    held: tuple[int, ...] = ()


def _held(database_url: str, claimer: str) -> tuple[int, ...]:
    rows = _rows(database_url, "SELECT id FROM messages WHERE direction = 'in' AND status = "
                 "'received' AND claimed_by LIKE :claimer", claimer=f"{claimer}/%")  # fmt: skip
    return tuple(row[0] for row in rows)


def _kill(launcher: Launcher, kill: Kill, claimer: str | None) -> None:
    """SIGKILL the victim; a Rasa process once it holds a message (at most 5 s later), so the
    kill proves the take-back."""
    deadline = time.monotonic() + 5
    while claimer and time.monotonic() < deadline:
        if _held(launcher.env["DATABASE_URL"], claimer):
            break
        time.sleep(0.01)
    os.kill(kill.pid, signal.SIGKILL)
    kill.at = time.time()
    if claimer:
        kill.held = _held(launcher.env["DATABASE_URL"], claimer)


def _load(launcher: Launcher, prefix: str, victim: str, claimer: str | None = None
          ) -> tuple[list[Delivery], Kill]:  # fmt: skip
    """The deliveries at RATE; `victim` SIGKILLed (by another thread, the load goes on) once
    the KILL_AFTER-th is acknowledged (and `claimer` holds a message)."""
    users = [f"{prefix}{n:04d}" for n in range(BURST + AFTERWARDS)]
    kill = Kill(pid=launcher.pid(victim))
    assert kill.pid, launcher.ctl("status")
    killer = threading.Thread(target=_kill, args=(launcher, kill, claimer))
    futures: list[concurrent.futures.Future[Delivery]] = []
    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        start = time.monotonic()
        for n, user in enumerate(users):
            offset = n / RATE if n < BURST else (n + 2 * RATE) / RATE  # the 10 after a pause
            time.sleep(max(0.0, start + offset - time.monotonic()))
            futures.append(pool.submit(_deliver, launcher.ingest_url, user, time.time() + 60))
            if n == KILL_AFTER - 1:
                futures[-1].result()
                killer.start()
        killer.join()
        deliveries = [future.result() for future in futures]
    return deliveries, kill


def _spawned_after(launcher: Launcher, name: str, killed_at: float) -> float:
    """Seconds from the kill to supervisord's "spawned: '<name>'" of the restart."""
    for line in (launcher.logs / "supervisord.log").read_text().splitlines():
        if f"spawned: '{name}'" in line:
            stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            if stamp >= killed_at - 0.01:
                return stamp - killed_at
    return float("nan")


def _rows(database_url: str, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()


def _replies(launcher: Launcher) -> dict[str, list[Recorded]]:
    by_user: dict[str, list[Recorded]] = {}
    for request in launcher.standin.messages("/whatsapp"):
        if isinstance(request.json, dict):
            by_user.setdefault(str(request.json.get("to")), []).append(request)
    return by_user


def _unknown_outcomes(database_url: str) -> set[str]:
    """Users whose reply a dead sender left "sending": not sent again (maybe never sent)."""
    rows = _rows(database_url, "SELECT c.platform_user_id FROM messages m JOIN contacts c "
                 "ON c.id = m.contact_id WHERE m.direction = 'out' AND m.error = :unknown",
                 unknown=UNKNOWN_SEND_OUTCOME)  # fmt: skip
    return {row[0] for row in rows}


def _answered_once(launcher: Launcher, deliveries: list[Delivery], timeout: float) -> set[str]:
    """Wait until every acknowledged delivery is answered; assert none twice. Returns the
    users whose reply's outcome is unknown (a sender killed mid-send; answered at most once)."""
    database_url = launcher.env["DATABASE_URL"]
    users = {d.user for d in deliveries}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        unknown = _unknown_outcomes(database_url)
        if users <= set(_replies(launcher)) | unknown:
            break
        time.sleep(0.5)
    time.sleep(3)  # a second answer would arrive by now
    replies, unknown = _replies(launcher), _unknown_outcomes(database_url)
    missing = sorted(u for u in users if u not in replies and u not in unknown)
    assert not missing, f"{len(missing)} acknowledged deliveries never answered: {missing}"
    twice = {u: [text_of(r) for r in replies[u]] for u in users if len(replies.get(u, [])) > 1}
    assert not twice, f"answered more than once: {twice}"
    assert all(text_of(replies[u][0]).startswith("Hi!") for u in users if u in replies)
    return unknown


def _first_answer_after(replies: dict[str, list[Recorded]], users: set[str], t: float) -> float:
    times = [r.at for u in users for r in replies.get(u, []) if r.at > t]
    return min(times) - t if times else float("nan")


def _acks(deliveries: list[Delivery], killed_at: float) -> list[float]:
    """Acknowledgement latency of every delivery first POSTed after the kill."""
    assert all(d.acked is not None for d in deliveries), [d for d in deliveries if not d.acked]
    acks = [d.acked - d.first_try for d in deliveries if d.first_try > killed_at and d.acked]
    assert len(acks) >= AFTERWARDS, f"only {len(acks)} deliveries came after the kill"
    return acks


def _since(killed_at: float) -> datetime:
    return datetime.fromtimestamp(killed_at, timezone.utc)


def test_sigkill_of_a_rasa_process(launcher: Launcher) -> None:
    database_url = launcher.env["DATABASE_URL"]
    deliveries, kill = _load(launcher, "44770094", "rasa:rasa-0", claimer="rasa-0")
    restarted_pid = launcher.wait_running("rasa:rasa-0", other_than=kill.pid, timeout=10)
    acks = _acks(deliveries, kill.at)
    assert max(acks) < 5, f"deliveries after the kill waited {max(acks):.1f} s"
    deadline = time.monotonic() + 300
    while get(f"{launcher.rasa_urls[0]}/") != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    serving = time.time() - kill.at
    assert get(f"{launcher.rasa_urls[0]}/") == 200, launcher.ctl("status")
    unknown = _answered_once(launcher, deliveries, timeout=240)
    assert not unknown  # only the ingest processes send: a Rasa process never dies mid-send

    # What the dead process held was taken back by its restart, not by rasa-1 after the lease.
    assert kill.held, "the victim held no message when killed: nothing to take back"
    since = _since(kill.at)
    rows = _rows(database_url, "SELECT m.id, c.platform_user_id, m.claimed_by, m.claimed_at "
                 "FROM messages m JOIN contacts c ON c.id = m.contact_id "
                 "WHERE m.direction = 'in'")  # fmt: skip
    taken_back = [r for r in rows if r[0] in kill.held]
    assert all(r[2].startswith("rasa-0/") and r[3] > since for r in taken_back), taken_back
    replies = _replies(launcher)
    by_survivor = {r[1] for r in rows if r[2].startswith("rasa-1/")}
    by_restarted = {r[1] for r in rows if r[2].startswith("rasa-0/") and r[3] > since}
    last = max(r.at for u in replies for r in replies[u]) - kill.at
    assert last < LEASE, f"last answer {last:.0f} s after the kill: the lease, not a take-back"
    print(  # the numbers (pytest -s)
        f"\nrasa-0 SIGKILL: respawned after {_spawned_after(launcher, 'rasa-0', kill.at):.2f} s "
        f"(pid {restarted_pid}), serving after {serving:.1f} s; acks after the kill max "
        f"{max(acks) * 1000:.0f} ms; first answer by the survivor after "
        f"{_first_answer_after(replies, by_survivor, kill.at):.2f} s, by the restarted process "
        f"after {_first_answer_after(replies, by_restarted, kill.at):.1f} s ({len(kill.held)} "
        f"held messages taken back); last answer after {last:.1f} s"
    )


def test_sigkill_of_an_ingest_process(launcher: Launcher) -> None:
    database_url = launcher.env["DATABASE_URL"]
    deliveries, kill = _load(launcher, "44770095", "ingest:ingest-0")
    restarted_pid = launcher.wait_running("ingest:ingest-0", other_than=kill.pid, timeout=15)
    acks = _acks(deliveries, kill.at)
    assert max(acks) < 10, f"deliveries after the kill waited {max(acks):.1f} s"
    refused = sum(d.tries - 1 for d in deliveries)
    unknown = _answered_once(launcher, deliveries, timeout=240)
    assert len(unknown) <= 2, unknown  # at most the sends in flight at the kill

    sends = _rows(database_url, "SELECT c.platform_user_id, m.claimed_by, m.claimed_at FROM "
                  "messages m JOIN contacts c ON c.id = m.contact_id "
                  "WHERE m.direction = 'out'")  # fmt: skip
    since = _since(kill.at)
    replies = _replies(launcher)
    by_survivor = {u for u, by, _ in sends if by.startswith("ingest-1/")}
    by_restarted = {u for u, by, at in sends if by.startswith("ingest-0/") and at > since}
    print(
        f"\ningest-0 SIGKILL: respawned after "
        f"{_spawned_after(launcher, 'ingest-0', kill.at):.2f} s (pid {restarted_pid}); "
        f"{refused} POSTs refused and redelivered; acks after the kill max "
        f"{max(acks) * 1000:.0f} ms; first answer sent by the survivor after "
        f"{_first_answer_after(replies, by_survivor, kill.at):.2f} s, by the restarted process "
        f"after {_first_answer_after(replies, by_restarted, kill.at):.2f} s; {len(unknown)} "
        f"reply outcome(s) unknown"
    )
