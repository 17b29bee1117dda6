"""`make bench`: the production configuration under load, our WhatsApp channel against Rasa's
REST channel. Prints the tables and writes docs/BENCHMARKS.md.

Everything runs on this machine: PostgreSQL (app database and Rasa's SQL tracker store, a fresh
database per run), Redis (lock store), one action server, the ingest process (webhooks and reply
sending, OUTBOX_SENDER=ingest) and one or two Rasa servers; a stand-in Graph API on loopback
receives the replies. The load comes from a second process that sends on a fixed schedule (open
loop: a slow server does not slow the sender down, so latency under overload is measured, not
hidden). Every message is "hello" from a new sender.

Phases:
1. ack: RATE signed deliveries/s for SECONDS to the ingest process, two Rasa processes working
   off the backlog; p50/p95/p99 of the 200 answer, then every reply counted (exactly once?).
2. sustainable rate, for 2 and then 1 Rasa process, both channels, their steps taken in turn
   (a machine whose speed drifts over minutes affects both alike): rates rising by 30% from
   4/s, STEP seconds each, then two halvings between the last rate sustained and the first
   failed; a rate is sustained when every message is answered and the p95 end-to-end latency
   (POST -> reply at the Graph API; REST: POST -> HTTP answer) is under 1 s.
3. e2e at half the one-process sustainable rate, both channels.
4. NLU parse throughput (sequential /model/parse) and the memory of each process.
Every step also reports the CPU each process group used per answered message (from /proc).
`--ack-only` runs phase 1 alone and only prints; raw ack latencies go to var/bench/ack.csv.
"""

from __future__ import annotations

import argparse
import collections
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.assistant_processes import endpoints_file, wait_for  # noqa: E402
from scripts.benchkit.databases import create_database, drop_database  # noqa: E402
from scripts.benchkit.load import APP_SECRET, run_load, wait_replies  # noqa: E402
from scripts.benchkit.processes import cpu_by_process, free_port, rss_mb  # noqa: E402
from scripts.benchkit.stats import RateSearch, Step, percentiles, spread, table  # noqa: E402
from standins import webhooks as f  # noqa: E402
from standins.platform_apis import StandIn  # noqa: E402

RASA = str(Path(sys.executable).with_name("rasa"))
#: Rasa's HTTP API token of this run (the API is used for /status and /model/parse).
RASA_TOKEN = secrets.token_urlsafe(24)
SERVER_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")


class Bench:
    """The processes of one run and the measurements over them."""

    def __init__(self, work: Path, standin: StandIn, env: dict[str, str]) -> None:
        self.work = work
        self.standin = standin
        self.env = env
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.rasa_urls: list[str] = []
        self.ingest_url = ""
        self.next_user = 0

    def start(self, name: str, cmd: list[str], nice: int = 0) -> subprocess.Popen[bytes]:
        log = open(self.work / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        prefix = ["nice", "-n", str(nice)] if nice else []
        proc = subprocess.Popen(prefix + cmd, cwd=ROOT, env=self.env, stdout=log,
                                stderr=subprocess.STDOUT)  # fmt: skip
        self.procs[name] = proc
        return proc

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)

    def users(self, n: int) -> int:
        first = self.next_user
        self.next_user += n + 1000
        return first

    def cpu(self) -> dict[int, tuple[str, float]]:
        """CPU seconds so far of the bench's processes (see cpu_by_process)."""
        return cpu_by_process({name: proc.pid for name, proc in self.procs.items()})

    @staticmethod
    def used(
        before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
    ) -> dict[str, float]:
        """CPU seconds per group between two readings: processes alive at the second reading
        (a process started in between counts from zero; one that ended is not counted)."""
        groups: dict[str, float] = collections.defaultdict(float)
        for group, _ in before.values():
            groups[group] += 0.0
        for pid, (group, seconds) in after.items():
            previous = before.get(pid)
            groups[group] += seconds - (previous[1] if previous else 0.0)
        return dict(groups)

    def whatsapp_step(self, rate: float, seconds: float, wait: float) -> tuple[Step, list[Any]]:
        first = self.users(int(rate * seconds))
        before = self.cpu()
        sent = run_load("whatsapp", [f"{self.ingest_url}/whatsapp_webhook"], rate, seconds, first)
        acked = {r[0]: r[1] for r in sent if r[3] == 200}
        replies = wait_replies(self.standin, set(acked), timeout=wait)
        latencies = [(min(replies[u]) - t) * 1000 for u, t in acked.items() if u in replies]
        once = sum(1 for u in acked if len(replies.get(u, [])) == 1)
        twice = sum(1 for u in acked if len(replies.get(u, [])) > 1)
        cpu = self.used(before, self.cpu())
        return Step(rate, len(sent), once, twice, latencies, cpu), sent

    def rest_step(self, rate: float, seconds: float) -> Step:
        first = self.users(int(rate * seconds))
        urls = [f"{u}/webhooks/rest/webhook" for u in self.rasa_urls]
        before = self.cpu()
        sent = run_load("rest", urls, rate, seconds, first)
        ok = [r for r in sent if r[3] == 200]
        cpu = self.used(before, self.cpu())
        return Step(rate, len(sent), len(ok), 0, [r[2] * 1000 for r in ok], cpu)

    def attempt(self, kind: str, rate: float, seconds: float) -> Step:
        """One search step of one channel, then wait until its backlog is gone."""
        if kind == "whatsapp":
            step, _ = self.whatsapp_step(rate, seconds, wait=seconds + 20)
        else:
            step = self.rest_step(rate, seconds)
        print(f"  {kind} {rate:5.1f}/s: {step.answered}/{step.sent} answered, "
              f"p95 {step.p['p95']:.0f} ms; CPU per message {step.cpu_ms_per_message()}",
              flush=True)  # fmt: skip
        self.settle()  # a failed step leaves a backlog; the next starts from none
        time.sleep(3)  # let the last step's stragglers finish
        return step

    def search(
        self, kinds: tuple[str, ...], seconds: float, refine: int = 2
    ) -> dict[str, tuple[float, list[Step]]]:
        """The highest sustained rate of each channel (see RateSearch), the channels' steps
        taken in turn, so that a machine whose speed drifts over minutes affects both alike."""
        searches = {kind: RateSearch(refine=refine) for kind in kinds}
        while any(not search.done for search in searches.values()):
            for kind, search in searches.items():
                if not search.done:
                    search.record(self.attempt(kind, search.next_rate, seconds))
        return {kind: (search.passed, search.steps) for kind, search in searches.items()}

    def settle(self, timeout: float = 600) -> None:
        """Wait until nothing is queued (the load above capacity leaves a backlog)."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.env["DATABASE_URL"])
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    left = conn.execute(text("SELECT count(*) FROM messages WHERE status IN "
                                             "('received', 'queued', 'sending')")).scalar()  # fmt: skip
                if not left:
                    return
                time.sleep(1)
        finally:
            engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Start the processes, run the phases, print and write the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200, help="ack phase deliveries/s")
    parser.add_argument("--seconds", type=float, default=30, help="ack phase length")
    parser.add_argument("--step-seconds", type=float, default=8, help="each search step")
    parser.add_argument("--e2e-seconds", type=float, default=20)
    parser.add_argument("--nice", type=int, default=10,
                        help="niceness of the Rasa and action servers (the ingest process keeps 0)")  # fmt: skip
    parser.add_argument("--ingest-workers", type=int, default=2,
                        help="ingest worker processes (Sanic workers sharing the port)")  # fmt: skip
    parser.add_argument("--ack-only", action="store_true",
                        help="only the acknowledgement phase; print, do not write --out")  # fmt: skip
    parser.add_argument("--search-only", type=int, choices=(1, 2), default=0,
                        help="only the sustainable-rate search with this many Rasa processes; "
                             "print, do not write --out")  # fmt: skip
    parser.add_argument("--out", default=str(ROOT / "docs" / "BENCHMARKS.md"))
    args = parser.parse_args(argv)
    model = ROOT / "models" / "booking.tar.gz"
    if not model.exists():
        print("no trained model: run `make train` first", file=sys.stderr)
        return 1
    try:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        database_url = create_database(SERVER_URL, name)
    except Exception as exc:
        print(f"PostgreSQL at {SERVER_URL} is unreachable ({exc}); set BENCH_POSTGRES_URL",
              file=sys.stderr)  # fmt: skip
        return 1
    work = Path(ROOT / "var" / "bench")
    work.mkdir(parents=True, exist_ok=True)
    standin = StandIn().start()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TRACKER_STORE_URL": database_url,
        "REDIS_URL": REDIS,
        "REDIS_LOCK_KEY_PREFIX": name,
        "OUTBOX_SENDER": "ingest",
        "DEFAULT_TIMEZONE": "Europe/London",
        "WHATSAPP_VERIFY_TOKEN": "bench-verify",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": "bench-token",
        "WHATSAPP_PHONE_NUMBER_ID": f.PHONE_NUMBER_ID,
        "WHATSAPP_API_URL": f"{standin.url}/whatsapp/v21.0",
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "LOG_LEVEL": "WARNING",
        "RASA_TELEMETRY_ENABLED": "false",
        # The processes' shared secrets, as `make run-prod` passes them; loopback only.
        "RASA_AUTH_TOKEN": RASA_TOKEN,
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "SANIC_HOST": "127.0.0.1",
    }
    subprocess.run([sys.executable, "-m", "booking_core.db.migrate"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    subprocess.run([sys.executable, "scripts/enabled_credentials.py", "--out",
                    str(work / "cred.yml")], cwd=ROOT, env=env, check=True,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    bench = Bench(work, standin, env)
    actions_port, ingest_port = free_port(), free_port()
    rasa_ports = [free_port(), free_port()]
    endpoints_file(work, actions_port)  # with the ACTION_SERVER_TOKEN header
    rows: list[tuple[str, str]] = []
    search_rows: list[tuple[str, str]] = []
    cpu_rows: list[tuple[str, str]] = []
    started_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        actions = bench.start("actions", [RASA, "run", "actions", "--port", str(actions_port)],
                              nice=args.nice)  # fmt: skip
        ingest = bench.start("ingest", [sys.executable, "-m", "connectors.ingest", "--host",
                                        "127.0.0.1", "--port", str(ingest_port), "--credentials",
                                        str(work / "cred.yml"), "--workers", str(args.ingest_workers)])  # fmt: skip
        for i, port in enumerate(rasa_ports):
            bench.start(f"rasa-{i}", [RASA, "run", "--model", str(model), "--enable-api",
                                      "--auth-token", RASA_TOKEN, "--interface", "127.0.0.1",
                                      "--port", str(port), "--endpoints", str(work / "endpoints.yml"),
                                      "--credentials", str(work / "cred.yml")], nice=args.nice)  # fmt: skip
        bench.ingest_url = f"http://127.0.0.1:{ingest_port}"
        bench.rasa_urls = [f"http://127.0.0.1:{p}" for p in rasa_ports]
        wait_for(f"http://127.0.0.1:{actions_port}/health", actions, work / "actions.log", 240)
        wait_for(f"{bench.ingest_url}/health", ingest, work / "ingest.log", 240)
        for i, url in enumerate(bench.rasa_urls):
            name = f"rasa-{i}"
            wait_for(f"{url}/status?token={RASA_TOKEN}", bench.procs[name], work / f"{name}.log", 240)
        for i in range(20):  # warm-up: first parses, first trackers, first replies
            for url in bench.rasa_urls:
                requests.post(f"{url}/webhooks/rest/webhook",
                              json={"sender": f"warm{i}", "message": "hello"}, timeout=60)  # fmt: skip
        bench.whatsapp_step(20, 3, wait=60)  # and every ingest worker's code paths

        if args.search_only:
            if args.search_only == 1:
                bench.stop("rasa-1")
                bench.rasa_urls = bench.rasa_urls[:1]
            print(f"search: {args.search_only} Rasa process(es)", flush=True)
            found = bench.search(("whatsapp", "rest"), args.step_seconds)
            only = {kind: rate for kind, (rate, _) in found.items()}
            print(f"sustained: whatsapp {only['whatsapp']:g}, rest {only['rest']:g} msg/s, "
                  f"ratio {only['whatsapp'] / max(only['rest'], 1e-9):.2f}")  # fmt: skip
            return 0

        # 1. acknowledgement under load, two Rasa processes working off the backlog
        print(f"ack phase: {args.rate:g}/s for {args.seconds:g} s", flush=True)
        started = time.time()
        step, sent = bench.whatsapp_step(
            args.rate, args.seconds, wait=max(120, args.rate * args.seconds / 5)
        )
        drained = time.time() - started
        ok = [r for r in sent if r[3] == 200]
        statuses = collections.Counter(r[3] for r in sent)
        errors = collections.Counter(r[5] for r in sent if r[5])
        print(f"  statuses {dict(statuses)} {dict(errors)}; answered {step.answered}, "
              f"twice {step.twice}", flush=True)  # fmt: skip
        ack = percentiles([r[2] * 1000 for r in ok])
        with open(work / "ack.csv", "w") as raw:  # for a closer look: sent_at,latency_ms,status
            raw.writelines(
                f"{r[1]:.3f},{r[2] * 1000:.1f},{r[3]}\n" for r in sorted(sent, key=lambda r: r[1])
            )
        span = max(max(r[1] for r in sent) - min(r[1] for r in sent), 1e-9) if sent else 1.0
        lag = percentiles([max(0.0, r[4]) * 1000 for r in sent])
        missing = len(ok) - step.answered - step.twice
        rows += [
            ("ack: deliveries sent / rate", f"{len(sent)} at {len(sent) / span:.0f}/s for {args.seconds:g} s"),
            ("ack: HTTP 200", f"{len(ok)} of {len(sent)} (statuses: {dict(statuses)}; 0 = no HTTP answer: {dict(errors) or 'none'})"),
            ("ack latency p50 / p95 / p99", f"{ack['p50']:.1f} / {ack['p95']:.1f} / {ack['p99']:.1f} ms"),
            ("sender lateness against schedule p50 / p99", f"{lag['p50']:.1f} / {lag['p99']:.1f} ms"),
            ("ack phase: CPU per message", step.cpu_ms_per_message()),
            ("backlog: answered exactly once", f"{step.answered} of {len(ok)} ({step.twice} twice, {missing} unanswered)"),
            ("backlog: all replies after", f"{drained:.0f} s ({len(ok) / drained:.1f} msg/s with 2 Rasa processes)"),
        ]  # fmt: skip
        bench.settle()

        if not args.ack_only:
            # 2. sustainable rates, 2 then 1 Rasa process
            sustained: dict[tuple[str, int], float] = {}
            for processes in (2, 1):
                if processes == 1:
                    bench.stop("rasa-1")
                    bench.rasa_urls = bench.rasa_urls[:1]
                print(f"search: {processes} Rasa process(es)", flush=True)
                found = bench.search(("whatsapp", "rest"), args.step_seconds)
                for kind, (rate, steps) in found.items():
                    sustained[(kind, processes)] = rate
                    above = [s for s in steps if not s.sustained and s.rate > rate]
                    failed = min(above, key=lambda s: s.rate) if above else steps[-1]
                    search_rows.append((
                        f"{kind}, {processes} Rasa process{'es' if processes > 1 else ''}",
                        f"{rate:g} msg/s (next step {failed.rate:g}/s: {failed.answered}/{failed.sent} "
                        f"answered, p95 {failed.p['p95']:.0f} ms)",
                    ))  # fmt: skip
                    best = [s for s in steps if s.sustained and s.rate == rate] or steps[-1:]
                    cpu_rows.append((f"{kind}, {processes} Rasa process(es), at {best[0].rate:g}/s",
                                     best[0].cpu_ms_per_message()))  # fmt: skip
            for processes in (1, 2):
                ours, rest = sustained[("whatsapp", processes)], sustained[("rest", processes)]
                search_rows.append((f"ratio ours / REST, {processes} process(es)",
                                    f"{ours / rest:.2f}" if rest else "n/a"))  # fmt: skip
            for kind in ("whatsapp", "rest"):
                one, two = sustained[(kind, 1)], sustained[(kind, 2)]
                search_rows.append((f"growth 1 -> 2 processes, {kind}",
                                    f"x{two / one:.2f}" if one else "n/a"))  # fmt: skip

            # 3. e2e at half the one-process sustainable rate
            half = max(1.0, min(sustained[("whatsapp", 1)], sustained[("rest", 1)]) / 2)
            wa, _ = bench.whatsapp_step(half, args.e2e_seconds, wait=args.e2e_seconds + 60)
            rest_step = bench.rest_step(half, args.e2e_seconds)
            rows += [
                (f"e2e at {half:g}/s (half sustainable), WhatsApp: POST -> reply at Graph API", spread(wa)),
                (f"e2e at {half:g}/s (half sustainable), REST: POST -> HTTP answer", spread(rest_step)),
            ]  # fmt: skip

            # 4. NLU parse throughput and memory
            texts = ["book a haircut tomorrow at 3pm for 45 minutes", "hello", "cancel my massage",
                     "what's on my calendar on friday"] * 50  # fmt: skip
            t0 = time.perf_counter()
            for text in texts:
                requests.post(f"{bench.rasa_urls[0]}/model/parse", json={"text": text},
                              params={"token": RASA_TOKEN}, timeout=30).raise_for_status()  # fmt: skip
            rows.append(("NLU parse throughput (sequential /model/parse)",
                         f"{len(texts) / (time.perf_counter() - t0):.0f} msg/s"))  # fmt: skip
            memory = " / ".join(
                f"{rss_mb(bench.procs[n].pid):.0f}" for n in ("rasa-0", "actions", "ingest")
            )
            rows.append(("memory RSS: Rasa server / action server / ingest", f"{memory} MB"))
    finally:
        for process in list(bench.procs):  # not `name`: that is the database's name
            try:
                bench.stop(process)
            except Exception:
                bench.procs.pop(process, None)
        standin.stop()
        drop_database(SERVER_URL, name)

    command = "make bench" + (
        f" BENCH_ARGS='{' '.join(argv or sys.argv[1:])}'" if (argv or sys.argv[1:]) else ""
    )
    report = (
        "# Benchmarks\n\nMeasured " + started_at + " on this project's 2-core machine with `"
        + command + "` (scripts/bench.py). Production configuration: PostgreSQL (app database "
        "and tracker store), Redis lock store, one action server, the ingest process "
        f"(acknowledges webhooks, sends replies; {args.ingest_workers} worker process(es)) and "
        "two Rasa servers (one for the one-process "
        f"rows), Rasa and action servers at nice {args.nice}; stand-in Graph API on loopback; "
        "load from a second process. Message: \"hello\" from a new sender each time.\n\n"
        + table(rows) + "\n\n## Sustainable rate (every message answered, p95 end-to-end < 1 s)\n\n"
        + table(search_rows) + "\n"
        + ("\n## CPU per answered message (all processes on the machine, by group, ms)\n\n"
           + table(cpu_rows) + "\n" if cpu_rows else "")
    )  # fmt: skip
    print(report)
    if args.ack_only:
        return 0
    previous = Path(args.out).read_text() if Path(args.out).exists() else ""
    notes = (
        previous[previous.index("## What the figures say") :]
        if "## What the figures say" in previous
        else ""
    )
    Path(args.out).write_text(report + ("\n" + notes if notes else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
