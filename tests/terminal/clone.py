"""A fresh clone and a developer's terminal, for the terminal tests.

The clone is a copy of the repository's files (`git ls-files`, plus new files not yet
committed) in a temporary directory, with a copy of the trained model stamped with the clone's
own training fingerprint and the installed `.venv` linked in (a directory of links to the real
one's entries with the install stamp of the clone's own lock): `make`'s install and train steps
see both done, as after a first `make`, and nothing the clone runs can write into the shared
model or environment. Nothing else: no `var/`, no database, no secrets, no variables.

The terminal is the clone's directory with an environment stripped of every project variable:
PATH, HOME, LANG and TERM only (PATH with `.venv/bin` first for the plain `rasa` commands, as
after `source .venv/bin/activate`), plus RASA_TELEMETRY_ENABLED=false for the plain `rasa`
commands: the tests must not reach Rasa's telemetry servers (`make` sets it itself).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pexpect
import pytest

from tests.integration import servers

ROOT = servers.ROOT
#: What the commands under test listen on by default (Rasa, action server, admin API).
DEFAULT_PORTS = (5005, 5055, 8000)


@dataclass(frozen=True)
class Clone:
    """A fresh clone in `path` and its developer's environment."""

    path: Path
    env: dict[str, str]

    @property
    def database(self) -> Path:
        """The default SQLite database (DATABASE_URL unset)."""
        return self.path / "var" / "booking.db"

    def spawn(self, command: str, args: list[str], log: Path, timeout: float = 240) -> Any:
        """`command args` in a pseudo-terminal in the clone; its output is copied to `log`."""
        child = pexpect.spawn(command, args, cwd=self.path, env=self.env, encoding="utf-8",
                              timeout=timeout, dimensions=(50, 220))  # fmt: skip
        child.logfile_read = log.open("w")
        return child


def repository_files() -> list[str]:
    """What a clone holds: the tracked files and the new ones `git add` would take."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout  # fmt: skip
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def link_venv(target: Path) -> None:
    """`.venv` as links to the installed one, stamped as installed from the clone's lock."""
    source = (ROOT / ".venv").resolve()
    target.mkdir()
    for entry in source.iterdir():
        if entry.name != ".lock-sha256":
            (target / entry.name).symlink_to(entry)
    locks = b"".join((target.parent / name).read_bytes()
                     for name in ("requirements.lock", "requirements-model.txt"))  # fmt: skip
    (target / ".lock-sha256").write_text(hashlib.sha256(locks).hexdigest() + "\n")


def copy_model(clone: Path) -> None:
    """The trained model, copied (a link would let a training in the clone overwrite the
    shared one), with the fingerprint of the clone's own inputs (scripts/train.sh)."""
    (clone / "models").mkdir()
    shutil.copyfile(servers.MODEL, clone / "models" / "booking.tar.gz")
    fingerprint = subprocess.run(["bash", "scripts/train.sh", "--fingerprint"], cwd=clone,
                                 capture_output=True, text=True, check=True).stdout  # fmt: skip
    (clone / "models" / "booking.fingerprint").write_text(fingerprint)


def make_clone(path: Path) -> Path:
    """Copy the repository's files to `path`, the model too; link `.venv` in."""
    for name in repository_files():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, path / name, follow_symlinks=True)
    copy_model(path)
    link_venv(path / ".venv")
    return path


def developer_env(clone: Path, *, activated: bool) -> dict[str, str]:
    """The stripped environment (see the module); `activated`: `.venv/bin` first on PATH."""
    path = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
    env = {
        "PATH": f"{clone / '.venv' / 'bin'}:{path}" if activated else path,
        "HOME": os.environ.get("HOME", str(clone)),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "TERM": "xterm",
    }
    if activated:
        env["RASA_TELEMETRY_ENABLED"] = "false"
    return env


def require_free_ports(ports: tuple[int, ...] = DEFAULT_PORTS) -> None:
    """The plain commands listen on their default ports: skip (fail under CI) when another
    process holds one, rather than talk to it."""
    for port in ports:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("0.0.0.0", port))
            except OSError:
                message = f"port {port} is in use; the terminal tests need the default ports"
                if os.environ.get("CI", "").lower() == "true":
                    pytest.fail(message)
                pytest.skip(message)


def non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (where a process on 0.0.0.0 is reached
    from the network), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # no packet is sent: only the route is looked up
        except OSError:
            return None
        address = str(sock.getsockname()[0])
    return None if address.startswith("127.") else address


def stop_group(pid: int, reap: Callable[[], object], grace: float = 20) -> None:
    """Stop a process started in its own session and everything it started (`make shell`'s
    action server, admin API and worker): SIGINT as Ctrl-C would, then SIGTERM, then SIGKILL.
    `reap` collects the leader once it exited (`Popen.poll`, pexpect's `isalive`): until then
    it is a zombie, still a member of its group."""
    for sig, wait in ((signal.SIGINT, grace / 2), (signal.SIGTERM, grace / 2), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            reap()
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


#: The booking typed in the tests, and what it books (next week's Wednesday: a working day in
#: the default opening hours whatever today is).
BOOKING = "book a dentist appointment next wednesday at 3pm for 45 minutes"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def next_wednesday_at_3pm(zone: str = "Europe/London") -> datetime:
    """The start the booking asks for, in the default tenant's zone."""
    today = datetime.now(ZoneInfo(zone)).date()
    day = today + timedelta(days=7 - today.weekday() + 2)
    return datetime(day.year, day.month, day.day, 15, tzinfo=ZoneInfo(zone))


def book_in_shell(child: Any) -> str:
    """Book BOOKING in `rasa shell` as a person would: type it, then take the first button of
    the confirmation (Yes) with Enter. Returns the bot's answer (escape codes removed)."""
    child.expect("Your input ->")
    child.sendline(BOOKING)
    child.expect(r"Shall I book it\?")
    child.expect("Yes")  # the buttons, shown as a menu with the first one chosen
    child.send("\r")
    child.expect(r"Booked: [^\r\n\x1b]*")
    answer = str(child.after)
    child.expect("Your input ->")
    return ANSI.sub("", answer)


def booked_events(database: Path) -> list[tuple[str, datetime, str]]:
    """(title, start, status) of every event in a clone's database."""
    from booking_core.db.models import CalendarEvent
    from booking_core.db.session import dispose_engines, session_scope

    url = f"sqlite:///{database}"
    try:
        with session_scope(url) as session:
            return [(e.title, e.start, e.status) for e in session.query(CalendarEvent).all()]
    finally:
        dispose_engines(url)
