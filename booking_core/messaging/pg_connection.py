"""Single autocommit statements on PostgreSQL over one psycopg2 connection per thread (the
work queues' statements, booking_core.messaging.postgres).

Why not the Engine: the work queues run a claim and a completion statement for every message,
in the Rasa process whose one busy thread bounds its throughput. Through `engine.connect()` each
call paid a pool checkout with a pre-ping (a `SELECT 1` round trip), the isolation-level switch
and SQLAlchemy's connection bookkeeping: 0.46-0.58 ms of CPU and 1.1-1.7 ms of waiting per call,
against 0.10 ms and 0.5 ms here (measured with the real server, docs/BENCHMARKS.md). The
statements are hand-written SQL already (`exec_driver_sql`), so nothing of the ORM is lost.

What the pre-ping gave is kept: a connection found broken (the server restarted, an idle
connection was cut) is replaced and the statement tried once more on the new one. That retry
can repeat a statement whose first run committed just before the connection broke; the
statements given here are written so that a repeat is harmless (a repeated claim finds its rows
taken and their lease runs out; a repeated completion changes nothing and reports the claim
lost).
"""

from __future__ import annotations

import threading
from typing import Any

import psycopg2
from psycopg2.extensions import connection as pg_connection

from booking_core.db.session import get_engine, resolve_url

#: Failures that mean "this connection is unusable", as opposed to an error in the statement.
BROKEN = (psycopg2.OperationalError, psycopg2.InterfaceError)

_local = threading.local()
_open: dict[str, list[pg_connection]] = {}
_open_lock = threading.Lock()


def _connect(url: str) -> pg_connection:
    engine = get_engine(url)
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    conn: pg_connection = psycopg2.connect(*args, **kwargs)
    conn.autocommit = True
    with _open_lock:
        _open.setdefault(url, []).append(conn)
    return conn


def _forget(url: str, conn: pg_connection) -> None:
    conn.close()
    with _open_lock:
        if conn in _open.get(url, []):
            _open[url].remove(conn)


def execute(database_url: str | None, statement: str, params: dict[str, Any]) -> list[Any]:
    """Run one statement on this thread's connection (autocommit) and return its rows."""
    url = resolve_url(database_url)
    connections: dict[str, pg_connection] = _local.__dict__.setdefault("connections", {})
    conn = connections.get(url)
    reused = conn is not None and not conn.closed
    if conn is None or not reused:
        conn = connections[url] = _connect(url)
    try:
        return _run(conn, statement, params)
    except BROKEN:
        _forget(url, conn)
        del connections[url]
        if not reused:
            raise
    conn = connections[url] = _connect(url)
    return _run(conn, statement, params)


def _run(conn: pg_connection, statement: str, params: dict[str, Any]) -> list[Any]:
    with conn.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description is not None else []


def close_connections(*database_urls: str) -> None:
    """Close every thread's connection to these URLs (all when none is given): for tests and
    before dropping a database. A thread whose connection was closed opens a new one."""
    with _open_lock:
        urls = list(database_urls) if database_urls else list(_open)
        doomed = [conn for url in urls for conn in _open.pop(url, [])]
    for conn in doomed:
        conn.close()
