"""`make bench`: webhook acknowledgement and end-to-end latency, our WhatsApp channel vs Rasa's
REST channel, NLU parse throughput and memory. Prints a table and writes docs/BENCHMARKS.md.

Everything runs on loopback: a stand-in Graph API receives the replies, the trained model and
the real action server answer. The load comes from a second process (multiprocessing) that sends
signed WhatsApp deliveries from many senders on a fixed schedule (open loop: a slow server does
not slow the sender down, so latency under overload is measured, not hidden).

Phases:
1. ack: RATE deliveries/s for SECONDS to /whatsapp_webhook; p50/p95/p99 of the 200 answer.
   The backlog is then drained while its replies are counted (each answered exactly once?).
2. e2e: a lower rate (E2E_RATE/s) on both channels: WhatsApp webhook POST -> reply at the
   stand-in, and REST POST -> HTTP answer (Rasa's REST channel answers in the request).
3. NLU: sequential POST /model/parse, messages per second.
4. memory: resident set size of the Rasa server and the action server.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.connectors import factories as f  # noqa: E402
from tests.connectors.standins import StandIn  # noqa: E402

RASA = str(Path(sys.executable).with_name("rasa"))
APP_SECRET = "bench-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99)}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


def _send_schedule(
    kind: str, url: str, rate: float, seconds: float, first_user: int, out: Any
) -> None:
    """Child process: open-loop sender; puts (user, sent_at, latency_s, status, reply_at)."""
    total = int(rate * seconds)
    start = time.time() + 0.5
    session_pool: dict[int, requests.Session] = {}

    def one(n: int) -> tuple[str, float, float, int, float]:
        import threading

        session = session_pool.setdefault(threading.get_ident(), requests.Session())
        user = f"4477{first_user + n:08d}"
        delay = start + n / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        sent = time.time()
        try:
            if kind == "whatsapp":
                # Unique message ids across phases (the factory's counter restarts per process).
                body = f.body_bytes(f.wa_text(user, "hello", wamid=f"wamid.bench{first_user + n}"))
                headers = f.meta_headers(body, APP_SECRET)
                status = session.post(url, data=body, headers=headers, timeout=60).status_code
            else:
                status = session.post(
                    url, json={"sender": user, "message": "hello"}, timeout=60
                ).status_code
        except requests.RequestException:
            status = 0
        done = time.time()
        return user, sent, done - sent, status, done

    with concurrent.futures.ThreadPoolExecutor(min(256, max(8, int(rate * 2)))) as pool:
        for result in pool.map(one, range(total)):
            out.put(result)
    out.put(None)


def run_load(kind: str, url: str, rate: float, seconds: float, first_user: int) -> list[Any]:
    """Runs the sender in a second process and collects its results."""
    queue: Any = multiprocessing.Queue()
    proc = multiprocessing.Process(
        target=_send_schedule, args=(kind, url, rate, seconds, first_user, queue)
    )
    proc.start()
    results = []
    while (item := queue.get()) is not None:
        results.append(item)
    proc.join()
    return results


def wait_replies(
    standin: StandIn, users: set[str], timeout: float
) -> tuple[dict[str, list[float]], float]:
    """Reply arrival times per user at the stand-in, waiting until all arrived or timeout."""
    deadline = time.monotonic() + timeout
    while True:
        replies: dict[str, list[float]] = {}
        for r in standin.messages("/whatsapp"):
            to = r.json.get("to") if isinstance(r.json, dict) else None
            if to in users:
                replies.setdefault(to, []).append(r.at)
        if len(replies) >= len(users) or time.monotonic() > deadline:
            return replies, time.time()
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    """Start the processes, run the phases, print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200, help="ack phase deliveries/s")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--e2e-rate", type=float, default=5)
    parser.add_argument("--e2e-seconds", type=float, default=20)
    parser.add_argument("--out", default=str(ROOT / "docs" / "BENCHMARKS.md"))
    args = parser.parse_args(argv)
    model = ROOT / "models" / "booking.tar.gz"
    if not model.exists():
        print("no trained model: run `make train` first", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    standin = StandIn().start()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "DEFAULT_TIMEZONE": "Europe/London",
        "WHATSAPP_VERIFY_TOKEN": "bench-verify",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": "bench-token",
        "WHATSAPP_PHONE_NUMBER_ID": f.PHONE_NUMBER_ID,
        "WHATSAPP_API_URL": f"{standin.url}/whatsapp/v21.0",
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    env.pop("TRACKER_STORE_URL", None)
    env.pop("REDIS_URL", None)
    run: Callable[..., Any] = subprocess.run
    run([sys.executable, "-m", "booking_core.db.migrate"], cwd=ROOT, env=env, check=True,
        stdout=subprocess.DEVNULL)  # fmt: skip
    run([sys.executable, "scripts/enabled_credentials.py", "--out", str(work / "cred.yml")],
        cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL)  # fmt: skip
    actions_port, rasa_port = _free_port(), _free_port()
    (work / "endpoints.yml").write_text(
        (ROOT / "endpoints.yml")
        .read_text()
        .replace("http://localhost:5055/webhook", f"http://127.0.0.1:{actions_port}/webhook")
    )
    logs = [open(work / name, "wb") for name in ("actions.log", "rasa.log")]  # noqa: SIM115
    actions = subprocess.Popen([RASA, "run", "actions", "--port", str(actions_port)], cwd=ROOT,
                               env=env, stdout=logs[0], stderr=subprocess.STDOUT)  # fmt: skip
    rasa = subprocess.Popen(
        [RASA, "run", "--model", str(model), "--enable-api", "--port", str(rasa_port),
         "--endpoints", str(work / "endpoints.yml"), "--credentials", str(work / "cred.yml")],
        cwd=ROOT, env=env, stdout=logs[1], stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{rasa_port}"
    rows: list[tuple[str, str]] = []
    try:
        _wait_up(f"http://127.0.0.1:{actions_port}/health", actions)
        _wait_up(f"{base}/status", rasa)
        for i in range(20):  # warm-up: first parses and the first tracker
            requests.post(f"{base}/webhooks/rest/webhook",
                          json={"sender": f"warm{i}", "message": "hello"}, timeout=60)  # fmt: skip

        # 1. acknowledgement under load, then drain the backlog
        started = time.time()
        ack = run_load("whatsapp", f"{base}/whatsapp_webhook", args.rate, args.seconds, 0)
        ok = [r for r in ack if r[3] == 200]
        lat = _percentiles([r[2] * 1000 for r in ok])
        sent_rate = len(ack) / max(ack[-1][1] - ack[0][1], 1e-9) if ack else 0.0
        users = {r[0] for r in ok}
        replies, finished = wait_replies(standin, users, timeout=900)
        answered = sum(1 for u in users if len(replies.get(u, [])) == 1)
        twice = sum(1 for u in users if len(replies.get(u, [])) > 1)
        drained = finished - started
        sent_text = f"{len(ack)} at {sent_rate:.0f}/s for {args.seconds:.0f} s"
        lat_text = f"{lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f} ms"
        missing = len(users) - answered - twice
        once_text = f"{answered} of {len(users)} ({twice} twice, {missing} unanswered)"
        drain_text = f"{drained:.0f} s ({len(users) / drained:.1f} msg/s processed)"
        rows += [
            ("ack: deliveries sent / rate", sent_text),
            ("ack: HTTP 200", f"{len(ok)} of {len(ack)}"),
            ("ack latency p50 / p95 / p99", lat_text),
            ("backlog: answered exactly once", once_text),
            ("backlog: all replies after", drain_text),
        ]

        # 2. end-to-end at a rate both channels sustain
        offset = 10_000_000
        wa = run_load("whatsapp", f"{base}/whatsapp_webhook", args.e2e_rate, args.e2e_seconds,
                      offset)  # fmt: skip
        wa_users = {r[0]: r[1] for r in wa if r[3] == 200}
        wa_replies, _ = wait_replies(standin, set(wa_users), timeout=300)
        wa_e2e = [(min(wa_replies[u]) - sent) * 1000 for u, sent in wa_users.items()
                  if u in wa_replies]  # fmt: skip
        rest = run_load("rest", f"{base}/webhooks/rest/webhook", args.e2e_rate, args.e2e_seconds,
                        2 * offset)  # fmt: skip
        rest_e2e = [r[2] * 1000 for r in rest if r[3] == 200]
        w, r_ = _percentiles(wa_e2e), _percentiles(rest_e2e)

        def spread(p: dict[str, float], n: int) -> str:
            return f"p50 {p['p50']:.0f} / p95 {p['p95']:.0f} / p99 {p['p99']:.0f} ms ({n} msgs)"

        rows += [
            (f"e2e at {args.e2e_rate:g}/s, WhatsApp (POST -> reply at Graph API)",
             spread(w, len(wa_e2e))),
            (f"e2e at {args.e2e_rate:g}/s, REST (POST -> HTTP answer)", spread(r_, len(rest_e2e))),
        ]  # fmt: skip

        # 3. NLU parse throughput
        texts = ["book a haircut tomorrow at 3pm for 45 minutes", "hello", "cancel my massage",
                 "what's on my calendar on friday"] * 50  # fmt: skip
        t0 = time.perf_counter()
        for text in texts:
            requests.post(f"{base}/model/parse", json={"text": text}, timeout=30).raise_for_status()
        parse_rate = len(texts) / (time.perf_counter() - t0)
        rows.append(("NLU parse throughput (sequential /model/parse)", f"{parse_rate:.0f} msg/s"))

        # 4. memory
        memory = f"{_rss_mb(rasa.pid):.0f} MB / {_rss_mb(actions.pid):.0f} MB RSS"
        rows.append(("memory: Rasa server / action server", memory))
    finally:
        for proc in (rasa, actions):
            proc.terminate()
            proc.wait(timeout=30)
        standin.stop()
        for log in logs:
            log.close()

    width = max(len(k) for k, _ in rows)
    table = "\n".join(f"| {k:<{width}} | {v} |" for k, v in rows)
    header = f"| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|"
    command = "make bench " + " ".join(argv if argv is not None else sys.argv[1:])
    report = (
        "# Benchmarks\n\nMeasured on this project's 2-core machine with `" + command.strip()
        + "` (scripts/bench.py: one Rasa server, one action server, SQLite, loopback stand-in "
        "Graph API; the load comes from a second process). Message: \"hello\".\n\n"
        + header + "\n" + table + "\n"
    )  # fmt: skip
    print(report)
    Path(args.out).write_text(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
