"""Fault tests of the production configuration, on the real PostgreSQL and Redis.

Two Rasa server processes share the app database and the SQL tracker store (PostgreSQL) and
the lock store (Redis), with one action server and the ingest process, which acknowledges
webhooks and sends every reply (OUTBOX_SENDER=ingest); WhatsApp's Graph API is a stand-in on
loopback. The Rasa processes serve the webhook paths too. The cluster is the session's
(tests/integration/clusters.py), shared with the production REST tests.

- Retry storm: every delivery is POSTed three times at once, spread over both processes: each
  message is answered exactly once.
- Database down: with the app database unreachable an ingest process answers 503 (WhatsApp
  retries), stores nothing, and the same delivery is answered once the database is back.
- Crash: an ingest process acknowledges a steady load while one Rasa process is killed with
  SIGKILL and restarted: every acknowledged message is answered exactly once (messages the dead
  process held are taken over after the inbox lease, 10 s here, without repeating a reply).
"""

from __future__ import annotations

import concurrent.futures
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from standins import webhooks as f
from standins.platform_apis import StandIn, text_of
from tests.integration import clusters, servers

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def cluster(production_cluster: dict[str, Any]) -> dict[str, Any]:
    """The session's production cluster (tests/integration/clusters.py)."""
    return production_cluster


def _post(url: str, payload: dict[str, Any]) -> int:
    body = f.body_bytes(payload)
    headers = f.meta_headers(body, clusters.FAULT_APP_SECRET)
    return requests.post(
        f"{url}/whatsapp_webhook", data=body, headers=headers, timeout=20
    ).status_code


def _wait_until_in_flight(database_url: str, *, more_than: int, timeout: float) -> None:
    """Until more than `more_than` inbound messages are claimed and not yet handled."""
    in_flight = text(
        "SELECT count(*) FROM messages WHERE direction = 'in' AND status = 'received' "
        "AND claimed_at IS NOT NULL"
    )
    engine = create_engine(database_url, future=True)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if conn.execute(in_flight).scalar_one() > more_than:
                    return
            time.sleep(0.01)
    finally:
        engine.dispose()
    pytest.fail(f"never more than {more_than} messages in flight: no load to kill into")


def _replies_to(standin: StandIn, user: str) -> list[str]:
    return [
        text_of(r)
        for r in standin.messages("/whatsapp")
        if isinstance(r.json, dict) and r.json.get("to") == user
    ]


def test_retry_storm_across_two_processes_answers_each_message_once(
    cluster: dict[str, Any],
) -> None:
    users = [f"44770091{n:04d}" for n in range(12)]
    deliveries = [f.wa_text(user, "hello") for user in users]
    rng = random.Random(7)
    posts = [(rng.choice(cluster["urls"]), d) for d in deliveries for _ in range(3)]
    rng.shuffle(posts)
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(lambda p: _post(*p), posts))
    assert codes == [200] * len(posts)

    standin: StandIn = cluster["standin"]
    standin.wait_for(lambda s: all(_replies_to(s, u) for u in users), timeout=90)
    time.sleep(3)  # late duplicates would arrive by now
    for user in users:
        replies = _replies_to(standin, user)
        assert len(replies) == 1, (user, replies)
        assert replies[0].startswith("Hi!")


def test_database_down_answers_503_and_the_redelivery_is_answered(
    cluster: dict[str, Any], tmp_path: Path
) -> None:
    """A second ingest process (the production webhook front) pointed at an unreachable
    database: 503, nothing stored; the platform's redelivery to a healthy process is then
    answered once. (The Rasa processes serve the same webhook code: tests/connectors.)"""
    env = {**cluster["env"], "DATABASE_URL": "postgresql+psycopg2://postgres@127.0.0.1:1/none"}
    port = servers.free_port()
    log = tmp_path / "ingest-down.log"
    proc = servers.start(servers.ingest_cmd(port, cluster["credentials"]), env, log)
    try:
        servers.wait_for(f"http://127.0.0.1:{port}/health", proc, log)
        user = "447700929999"
        delivery = f.wa_text(user, "hello")
        assert _post(f"http://127.0.0.1:{port}", delivery) == 503
        time.sleep(1)
        assert _replies_to(cluster["standin"], user) == []
        assert _post(cluster["ingest"], delivery) == 200
        cluster["standin"].wait_for(lambda s: bool(_replies_to(s, user)), timeout=60)
        time.sleep(2)
        assert len(_replies_to(cluster["standin"], user)) == 1
    finally:
        servers.stop([proc])


def test_kill_9_mid_load_answers_every_acknowledged_message_once(
    cluster: dict[str, Any], tmp_path: Path
) -> None:
    """SIGKILL one Rasa process while the ingest process takes 90 deliveries/s (more than the
    two processes handle, so each holds several claimed messages); restart it. Messages the dead
    process held are handled again after the 10 s lease (their replies were never queued:
    queueing and completing are one transaction); nothing is answered twice."""
    procs: list[subprocess.Popen[bytes]] = cluster["procs"]
    victim_port = cluster["ports"][0]
    users = [f"44770093{n:04d}" for n in range(90)]
    started = time.monotonic()

    def send(n: int) -> int:
        time.sleep(max(0.0, started + n / 90 - time.monotonic()))
        return _post(cluster["ingest"], f.wa_text(users[n], "hello"))

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        pending = pool.map(send, range(len(users)))
        # Kill once more messages are in flight than one process may hold (INBOX_CONCURRENCY,
        # 8): the victim then certainly holds claimed messages (a fixed delay stopped meaning
        # that when the processes got faster).
        _wait_until_in_flight(cluster["db_url"], more_than=8, timeout=20)
        os.kill(procs[1].pid, signal.SIGKILL)
        procs[1].wait(timeout=10)
        codes = list(pending)
    assert codes == [200] * len(users)  # all acknowledged: the ingest process stayed up

    log = tmp_path / "rasa-restarted.log"
    procs[1] = servers.start(
        clusters.production_rasa_cmd(victim_port, cluster["endpoints"]), cluster["env"], log
    )
    servers.wait_for(f"http://127.0.0.1:{victim_port}/", procs[1], log)
    standin: StandIn = cluster["standin"]
    try:
        standin.wait_for(lambda s: all(_replies_to(s, u) for u in users), timeout=180)
    except TimeoutError:
        missing = [u for u in users if not _replies_to(standin, u)]
        pytest.fail(f"{len(missing)} acknowledged message(s) never answered: {missing}")
    time.sleep(3)  # a second answer would have arrived by now
    for user in users:
        replies = _replies_to(standin, user)
        assert len(replies) == 1, (user, replies)
        assert replies[0].startswith("Hi!")
    # Nor twice inside the conversations: a message Rasa had handled when its process died is
    # answered from the tracker, not handled again (connectors/takeover.py).
    repeated_sql = text(
        "SELECT sender_id, count(*) FROM events WHERE type_name = 'user' "
        "AND sender_id LIKE 'default:whatsapp:44770093%' GROUP BY sender_id HAVING count(*) > 1"
    )
    conversations_sql = text(
        "SELECT count(DISTINCT sender_id) FROM events "
        "WHERE sender_id LIKE 'default:whatsapp:44770093%'"
    )
    engine = create_engine(cluster["db_url"], future=True)
    try:
        with engine.connect() as conn:
            repeated = conn.execute(repeated_sql).all()
            conversations = conn.execute(conversations_sql).scalar()
    finally:
        engine.dispose()
    assert conversations == len(users) and repeated == []
    logs = [cluster["work"] / "rasa-1.log", log]
    takeovers = sum(p.read_text(errors="replace").count("taken over from a process") for p in logs)
    assert takeovers > 0, "the kill hit no message in flight; the test proved nothing"
