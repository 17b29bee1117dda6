"""`make bench-long-chat`: does a turn cost more the longer a conversation is? (issue 19)

    python scripts/bench_long_chat.py [--turns 400] [--stores default|production|both]
                                      [--conversations 0]

One customer chats without pause in one session (book, yes, "what's on tomorrow?", thanks,
hello, cancel, yes, help, over and over) with the real model and the project's actions, in
this process: Rasa's own `Agent.handle_message` with the REST channel's conversation ids,
the tracker and lock stores of the chosen configuration (default: what `make run` uses;
production: the SQL tracker store on the local PostgreSQL and Redis locks), and the actions
run by rasa-sdk's executor with the wire's JSON (scripts/evaluate/assistant.py). HTTP adds
the same few milliseconds to every turn, so the growth is Rasa's and ours. Prints the median
turn latency per block of 50 turns and the ratio of the last block to the first.

`--conversations N` then plays N further conversations of 10 turns each, each a new
customer, with the default stores (the in-memory log; the SQL store keeps nothing per
conversation in the process), and prints the process's RSS after 100, each thousand and N
(the store must not grow with every conversation ever seen).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_nlu import rss_mb  # noqa: E402
from scripts.evaluate.assistant import (  # noqa: E402
    fresh_database,
    frozen_clock,
    in_process_actions,
    prepare,
    reference,
    require_model,
)

TENANT = "default"
#: The customer's turns, over and over (issue 19's mix).
CYCLE = (
    "book a haircut tomorrow at 3pm for 30 minutes",
    "yes",
    "what's on tomorrow?",
    "thanks",
    "hello",
    "cancel my haircut",
    "yes",
    "help",
)
SHORT_CHAT = ("hello", "book a massage on friday at 11am for 1 hour", "yes", "thanks", "help",
              "what's on friday?", "cancel my massage", "yes", "thanks", "bye")  # fmt: skip
BLOCK = 50
SECTION = "## Long chat"
#: Where make bench's hand-written notes start (scripts/bench.py keeps them).
NOTES = "## What the figures say"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")


def stores_env(kind: str, work: Path) -> dict[str, str]:
    """The environment endpoints.yml's stores read for one configuration."""
    if kind == "default":
        return {}
    database = f"bench_tracker_{uuid.uuid4().hex[:8]}"
    import sqlalchemy as sa

    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    engine.dispose()
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return {"TRACKER_STORE_URL": f"{base}/{database}", "REDIS_URL": REDIS_URL,
            "REDIS_LOCK_KEY_PREFIX": f"bench{uuid.uuid4().hex[:6]}:"}  # fmt: skip


def load(kind: str, work: Path) -> Any:
    """The agent with the configuration's stores, exactly as endpoints.yml builds them."""
    from rasa.core.agent import Agent
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    import nlu.time_extractor  # noqa: F401 - the fast loading, as in a Rasa process

    os.environ.update(stores_env(kind, work))
    agent = Agent.load(str(require_model()), action_endpoint=in_process_actions())
    endpoints = ROOT / "endpoints.yml"
    agent.tracker_store = TrackerStore.create(
        read_endpoint_config(str(endpoints), "tracker_store"), agent.domain
    )
    agent.lock_store = LockStore.create(read_endpoint_config(str(endpoints), "lock_store"))
    agent.processor.tracker_store = agent.tracker_store
    agent.processor.lock_store = agent.lock_store
    return agent


async def turn(agent: Any, sender: str, text: str) -> float:
    """One customer message through Rasa; milliseconds until the answers are collected."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    started = time.perf_counter()
    await agent.handle_message(
        UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest")
    )
    return (time.perf_counter() - started) * 1000


async def long_chat(agent: Any, turns: int) -> list[float]:
    """Latencies of `turns` turns of one customer in one session."""
    from connectors.rest import rest_sender_id

    sender = rest_sender_id(TENANT, f"long-{uuid.uuid4().hex[:8]}")
    return [await turn(agent, sender, CYCLE[i % len(CYCLE)]) for i in range(turns)]


def milestones(count: int) -> list[int]:
    """Where to read the RSS: after 100, each further thousand, and `count` conversations."""
    return sorted({n for n in (100, *range(1000, count, 1000), count) if n <= count})


async def many_chats(agent: Any, count: int) -> dict[int, float]:
    """RSS (MB) after each milestone of `count` conversations of 10 turns each."""
    from connectors.rest import rest_sender_id

    rss: dict[int, float] = {}
    marks = set(milestones(count))
    for n in range(1, count + 1):
        sender = rest_sender_id(TENANT, f"many-{n}-{uuid.uuid4().hex[:6]}")
        for text in SHORT_CHAT:
            await turn(agent, sender, text)
        if n in marks:
            rss[n] = rss_mb()
            print(f"  ... {n} conversations: RSS {rss[n]:.0f} MB", file=sys.stderr, flush=True)
    return rss


def blocks(latencies: list[float]) -> list[float]:
    """Median of each block of BLOCK turns."""
    return [statistics.median(latencies[i : i + BLOCK]) for i in range(0, len(latencies), BLOCK)]


async def run(kind: str, turns: int, conversations: int) -> list[str]:
    """One configuration's lines of the report."""
    work = Path(tempfile.mkdtemp(prefix=f"long-chat-{kind}-"))
    fresh_database(work)
    agent = load(kind, work)
    lines = []
    with frozen_clock(reference("2026-03-02", "09:00")):
        await turn(agent, "warm-up", "hello")
        medians = blocks(await long_chat(agent, turns))
        ratio = medians[-1] / medians[0]
        lines.append(
            f"{kind} stores, one session of {turns} turns, median ms per block of {BLOCK}: "
            + " / ".join(f"{m:.0f}" for m in medians)
            + f"; last / first = {ratio:.2f}"
        )
        if conversations and kind == "default":  # the SQL store keeps nothing in the process
            rss = await many_chats(agent, conversations)
            after = ", ".join(f"{n} conversations {mb:.0f} MB" for n, mb in rss.items())
            lines.append(f"{kind} stores, RSS after {after}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the chosen configurations and print their lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--stores", choices=("default", "production", "both"), default="both")
    parser.add_argument("--conversations", type=int, default=0)
    parser.add_argument("--write", metavar="MARKDOWN",
                        help="also write the lines to this file's Long chat section")  # fmt: skip
    args = parser.parse_args(argv)
    prepare()
    kinds = ("default", "production") if args.stores == "both" else (args.stores,)
    lines: list[str] = []
    for kind in kinds:
        for line in asyncio.run(run(kind, args.turns, args.conversations)):
            print(line, flush=True)
            lines.append(line)
    if args.write:
        write_section(Path(args.write), lines, argv if argv is not None else sys.argv[1:])
    return 0


def write_section(path: Path, lines: list[str], argv: list[str]) -> None:
    """Replace (or add, before the notes) the "## Long chat" section of a benchmarks file;
    `make bench` rewrites the tables above it first."""
    window = os.environ.get("TRACKER_WINDOW", "on")
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    section = (
        f"{SECTION}\n\nMeasured {stamp} with `python scripts/bench_long_chat.py "
        f"{' '.join(argv)}` (TRACKER_WINDOW={window}): one customer chatting without pause, "
        "the real model and actions in one process (see the script's docstring).\n\n"
        + "\n".join(f"- {line}" for line in lines) + "\n\n"
    )
    text = path.read_text() if path.exists() else ""
    if SECTION in text:
        start = text.index(SECTION)
        rest = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[rest + 1 :] if rest != -1 else "")
    elif NOTES in text:
        at = text.index(NOTES)
        text = text[:at] + section + text[at:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
