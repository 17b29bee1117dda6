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
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from booking_core.messaging.outbox import UNKNOWN_SEND_OUTCOME
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
    """scripts/run_prod.sh, running."""
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


def _load(launcher: Launcher, prefix: str, victim: str) -> tuple[list[Delivery], float, int]:
    """The deliveries at RATE, `victim` SIGKILLed after the KILL_AFTER-th is acknowledged;
    (deliveries, kill time, the victim's pid)."""
    users = [f"{prefix}{n:04d}" for n in range(BURST + AFTERWARDS)]
    pid = launcher.pid(victim)
    assert pid, launcher.ctl("status")
    futures: list[concurrent.futures.Future[Delivery]] = []
    killed_at = 0.0
    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        start = time.monotonic()
        for n, user in enumerate(users):
            offset = n / RATE if n < BURST else (n + 2 * RATE) / RATE  # the 10 after a pause
            time.sleep(max(0.0, start + offset - time.monotonic()))
            futures.append(pool.submit(_deliver, launcher.ingest_url, user, time.time() + 60))
            if n == KILL_AFTER - 1:
                futures[-1].result()
                os.kill(pid, signal.SIGKILL)
                killed_at = time.time()
        deliveries = [future.result() for future in futures]
    return deliveries, killed_at, pid


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
    return [d.acked - d.first_try for d in deliveries if d.first_try > killed_at and d.acked]


def _since(killed_at: float) -> datetime:
    return datetime.fromtimestamp(killed_at, timezone.utc)


def test_sigkill_of_a_rasa_process(launcher: Launcher) -> None:
    database_url = launcher.env["DATABASE_URL"]
    deliveries, killed_at, old_pid = _load(launcher, "44770094", "rasa:rasa-0")
    restarted_pid = launcher.wait_running("rasa:rasa-0", other_than=old_pid, timeout=10)
    respawned = time.time() - killed_at
    acks = _acks(deliveries, killed_at)
    assert max(acks) < 5, f"deliveries after the kill waited {max(acks):.1f} s"
    deadline = time.monotonic() + 300
    while get(f"{launcher.rasa_urls[0]}/") != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    serving = time.time() - killed_at
    assert get(f"{launcher.rasa_urls[0]}/") == 200, launcher.ctl("status")
    unknown = _answered_once(launcher, deliveries, timeout=240)
    assert not unknown  # only the ingest processes send: a Rasa process never dies mid-send

    claims = _rows(database_url, "SELECT claimed_by, claimed_at, processed_at FROM messages "
                   "WHERE direction = 'in'")  # fmt: skip
    since = _since(killed_at)
    survivor = {row[0] for row in claims if row[0].startswith("rasa-1/")}
    restarted = {row[0] for row in claims if row[0].startswith("rasa-0/") and row[1] > since}
    assert len(restarted) == 1, restarted  # the new run took work, under one token
    taken_back = [row for row in claims if row[0] in restarted and row[2] is not None]
    users = _rows(database_url, "SELECT c.platform_user_id, m.claimed_by FROM messages m JOIN "
                  "contacts c ON c.id = m.contact_id WHERE m.direction = 'in'")  # fmt: skip
    replies = _replies(launcher)
    by_survivor = {u for u, by in users if by in survivor}
    by_restarted = {u for u, by in users if by in restarted}
    last = max(r.at for u in replies for r in replies[u]) - killed_at
    assert last < LEASE, f"last answer {last:.0f} s after the kill: the lease, not a take-back"
    print(  # the numbers (pytest -s)
        f"\nrasa-0 SIGKILL: new pid {restarted_pid} after {respawned:.1f} s, serving after "
        f"{serving:.1f} s; acks after the kill max {max(acks) * 1000:.0f} ms; first answer by "
        f"the survivor after {_first_answer_after(replies, by_survivor, killed_at):.2f} s, by "
        f"the restarted process after {_first_answer_after(replies, by_restarted, killed_at):.1f}"
        f" s ({len(taken_back)} messages handled by it); last answer after {last:.1f} s"
    )


def test_sigkill_of_an_ingest_process(launcher: Launcher) -> None:
    database_url = launcher.env["DATABASE_URL"]
    deliveries, killed_at, old_pid = _load(launcher, "44770095", "ingest:ingest-0")
    restarted_pid = launcher.wait_running("ingest:ingest-0", other_than=old_pid, timeout=15)
    respawned = time.time() - killed_at
    acks = _acks(deliveries, killed_at)
    assert max(acks) < 10, f"deliveries after the kill waited {max(acks):.1f} s"
    refused = sum(d.tries - 1 for d in deliveries)
    unknown = _answered_once(launcher, deliveries, timeout=240)
    assert len(unknown) <= 2, unknown  # at most the sends in flight at the kill

    sends = _rows(database_url, "SELECT c.platform_user_id, m.claimed_by, m.claimed_at FROM "
                  "messages m JOIN contacts c ON c.id = m.contact_id "
                  "WHERE m.direction = 'out'")  # fmt: skip
    since = _since(killed_at)
    replies = _replies(launcher)
    by_survivor = {u for u, by, _ in sends if by.startswith("ingest-1/")}
    by_restarted = {u for u, by, at in sends if by.startswith("ingest-0/") and at > since}
    print(
        f"\ningest-0 SIGKILL: new pid {restarted_pid} after {respawned:.1f} s; {refused} POSTs "
        f"refused and redelivered; acks after the kill max {max(acks) * 1000:.0f} ms; first "
        f"answer by the survivor after {_first_answer_after(replies, by_survivor, killed_at):.2f}"
        f" s, by the restarted process after "
        f"{_first_answer_after(replies, by_restarted, killed_at):.2f} s; {len(unknown)} reply "
        f"outcome(s) unknown"
    )
