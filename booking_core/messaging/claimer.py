"""Who holds a work-queue claim, so a restarted process need not wait out its own lease.

A claim records its claimer as "<claimer id>/<token>": the id is stable across restarts of one
supervised process (CLAIMER_ID, e.g. "rasa-0" from supervisord's process number, or a pod's
name), the token is new at every start and grows with the start time. A claim whose id is ours
and whose token is older than ours was made by an earlier run of this process, which is dead: it
is free at once instead of after the lease. (Older only: should two live processes ever share an
id, the older one never takes the newer one's claims, so they cannot take turns.) Without
CLAIMER_ID the id is "<host>-<pid>", unique among live processes (claims then wait for the
lease, unless the pid is reused on the host, after the earlier process's end). Two live processes
must never share a CLAIMER_ID: the newer would take the older's claims. A process stopping
gracefully marks the claims it could not finish RELEASED, free for any process at once.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from dataclasses import dataclass

__all__ = ["CLAIMER_ENV", "RELEASED", "Claimer", "current_claimer"]

#: The environment variable holding the stable claimer id of this process.
CLAIMER_ENV = "CLAIMER_ID"
#: `claimed_by` of a claim given up by a process that stopped (no "/": never a claimer's stamp).
RELEASED = "released"
#: Room for the token and the separator in the 128-character column.
_MAX_ID = 100


@dataclass(frozen=True)
class Claimer:
    """A claimer id and the token of this run."""

    id: str
    token: str

    @property
    def stamp(self) -> str:
        """What `messages.claimed_by` holds for claims of this run."""
        return f"{self.id}/{self.token}"

    @property
    def prefix(self) -> str:
        """What every run of this claimer id stamps first."""
        return f"{self.id}/"


_current: dict[int, Claimer] = {}


def current_claimer() -> Claimer:
    """This process's claimer, made once per process (a forked child gets its own token)."""
    pid = os.getpid()
    claimer = _current.get(pid)
    if claimer is None:
        name = (os.environ.get(CLAIMER_ENV) or "").strip() or f"{socket.gethostname()}-{pid}"
        # Fixed width, so later starts compare greater as strings (in SQL too).
        token = f"{time.time_ns():016x}{secrets.token_hex(3)}"
        claimer = Claimer(name.replace("/", "_")[:_MAX_ID], token)
        _current[pid] = claimer
    return claimer
