"""Running the test conversations: an assistant of their own (action server and Rasa with the
REST channel on free loopback ports, a fresh SQLite database) or one already running, every
conversation played in turn, a line per conversation and the first difference of each failure.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from booking_core.db.session import dispose_engines
from scripts.assistant_processes import (
    MODEL,
    ROOT,
    actions_cmd,
    endpoints_file,
    free_port,
    migrate,
    rasa_cmd,
    start,
    stop,
    wait_for,
)
from scripts.conversation_tests.compare import button_titles, message_text
from scripts.conversation_tests.play import Assistant, Outcome, play
from scripts.conversation_tests.spec import Conversation

#: Variables that would make the run differ from the documented defaults or reach other
#: services: the conversations are written against a fresh default set-up.
CLEARED = ("DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL", "REST_CHANNEL_TOKEN", "DUCKLING_URL",
           "DEFAULT_TENANT_SLUG", "DEFAULT_TENANT_NAME", "DEFAULT_TIMEZONE", "DEFAULT_LOCALE",
           "DEFAULT_EVENT_DURATION_MINUTES", "ADMIN_API_URL", "TRACKER_WINDOW")  # fmt: skip


def assistant_env(database_url: str) -> dict[str, str]:
    """The processes' environment: this one without CLEARED, on `database_url`, loopback only,
    with fresh tokens between Rasa and the action server."""
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update({
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "SANIC_HOST": "127.0.0.1",
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "RASA_AUTH_TOKEN": secrets.token_urlsafe(24),
    })  # fmt: skip
    return env


@contextmanager
def own_assistant(work: Path, model: Path = MODEL) -> Iterator[Assistant]:
    """An action server and a Rasa server (REST channel only) on a fresh SQLite database."""
    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: run `make train` first")
    database_url = f"sqlite:///{work / 'booking.db'}"
    env = assistant_env(database_url)
    migrate(env)
    credentials = work / "credentials.yml"
    credentials.write_text("connectors.rest.RestInput:\n")
    actions_port, rasa_port = free_port(), free_port()
    endpoints = endpoints_file(work, actions_port)
    procs = [start(actions_cmd(actions_port), env, work / "actions.log")]
    try:
        procs.append(start(rasa_cmd(rasa_port, endpoints, credentials, env["RASA_AUTH_TOKEN"],
                                    model), env, work / "rasa.log"))  # fmt: skip
        wait_for(f"http://127.0.0.1:{actions_port}/health", procs[0], work / "actions.log")
        wait_for(f"http://127.0.0.1:{rasa_port}/", procs[1], work / "rasa.log")
        yield Assistant(f"http://127.0.0.1:{rasa_port}", database_url)
    finally:
        stop(procs)
        dispose_engines(database_url)


def show_transcript(outcome: Outcome, out: TextIO) -> None:
    """What was said, turn by turn (for writing expectations)."""
    for text, messages in outcome.transcript:
        print(f"    user: {text}", file=out)
        for message in messages:
            buttons = button_titles(message)
            extra = f"  buttons: {buttons}" if buttons else ""
            print(f"    bot:  {message_text(message)!r}{extra}", file=out)


def run_all(
    conversations: Sequence[Conversation],
    assistant: Assistant,
    out: TextIO,
    *,
    fresh: bool,
    show: bool = False,
) -> list[Outcome]:
    """Play every conversation (each with a new sender id; with `fresh`, on an empty calendar),
    print one line each and the first difference of a failure."""
    run = uuid.uuid4().hex[:8]
    outcomes = []
    for number, conversation in enumerate(conversations, start=1):
        if fresh:
            assistant.clear_calendar()
        began = time.monotonic()
        outcome = play(conversation, assistant, f"conv-{run}-{number}")
        outcomes.append(outcome)
        seconds = time.monotonic() - began
        status = "PASS" if outcome.passed else "FAIL"
        print(f"{status} {conversation.name} ({conversation.source}, {seconds:.1f} s)", file=out)
        if not outcome.passed:
            print(f"    {outcome.difference}", file=out)
        if show or not outcome.passed:
            show_transcript(outcome, out)
    failed = sum(not o.passed for o in outcomes)
    print(f"{len(outcomes) - failed} passed, {failed} failed", file=out)
    return outcomes


def run(
    conversations: Sequence[Conversation],
    out: TextIO,
    *,
    rasa_url: str | None = None,
    database_url: str | None = None,
    show: bool = False,
) -> bool:
    """Run against the given assistant, or one of its own; True when every conversation
    passed."""
    if rasa_url is not None:
        if database_url is None:
            raise ValueError("an assistant's URL needs its database URL too")
        assistant = Assistant(rasa_url, database_url, os.environ.get("REST_CHANNEL_TOKEN"))
        outcomes = run_all(conversations, assistant, out, fresh=False, show=show)
        return all(o.passed for o in outcomes)
    with tempfile.TemporaryDirectory(prefix="conversations-") as tmp:
        began = time.monotonic()
        with own_assistant(Path(tmp)) as assistant:
            print(f"assistant up in {time.monotonic() - began:.0f} s", file=out)
            outcomes = run_all(conversations, assistant, out, fresh=True, show=show)
    return all(o.passed for o in outcomes)
