"""The benchmark's processes: free ports, waiting for a server, memory and CPU from /proc."""

from __future__ import annotations

import collections
import os
import socket
from pathlib import Path


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

def rss_mb(pid: int) -> float:
    """A process's resident memory in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def process_table() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds used so far), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / ticks)
    return table


def cpu_by_process(roots: dict[str, int]) -> dict[int, tuple[str, float]]:
    """pid -> (group, CPU seconds so far) of each named process with its children (Sanic
    workers), all of PostgreSQL's and Redis's processes, and this process (the stand-in Graph
    API). Per process, so that a process ending between two readings (a database backend
    whose client stopped) cannot make its group's difference negative."""
    table = process_table()
    children: dict[int, list[int]] = collections.defaultdict(list)
    for pid, (parent, _, _) in table.items():
        children[parent].append(pid)
    snapshot: dict[int, tuple[str, float]] = {}

    def tree(group: str, pid: int) -> None:
        if pid in table:
            snapshot[pid] = (group, table[pid][2])
        for child in children.get(pid, []):
            tree(group, child)

    for name, pid in roots.items():
        tree("rasa" if name.startswith("rasa-") else name, pid)
    for pid, (_, name, cpu) in table.items():
        if name == "postgres":
            snapshot[pid] = ("postgres", cpu)
        elif name.startswith("redis"):
            snapshot[pid] = ("redis", cpu)
    if os.getpid() in table:
        snapshot[os.getpid()] = ("bench+stand-in", table[os.getpid()][2])
    return snapshot
