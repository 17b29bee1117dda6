"""booking_core.messaging.pg_connection against the real PostgreSQL: one connection per
thread, a connection the server cut replaced once, statement errors raised as they are."""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from booking_core.db.session import dispose_engines
from booking_core.messaging import pg_connection as direct

pytestmark = pytest.mark.postgres

BACKEND = "SELECT pg_backend_pid()"


def _backend(url: str) -> int:
    [(pid,)] = direct.execute(url, BACKEND, {})
    return int(pid)


def _in_thread(url: str) -> int:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(_backend(url)))
    thread.start()
    thread.join()
    return result[0]


def _terminate(url: str, pid: int) -> None:
    """Cut one backend from another connection, as a server restart or a proxy would."""
    [(done,)] = direct.execute(url, "SELECT pg_terminate_backend(%(pid)s)", {"pid": pid})
    assert done


def test_rows_and_one_connection_per_thread(postgres_url: str) -> None:
    assert direct.execute(postgres_url, "SELECT %(a)s::int + 1, 'x'", {"a": 1}) == [(2, "x")]
    assert direct.execute(postgres_url, "SELECT 1 WHERE false", {}) == []
    mine = _backend(postgres_url)
    assert _backend(postgres_url) == mine  # reused
    assert _in_thread(postgres_url) != mine  # another thread has its own


def test_statements_run_in_the_schema_of_the_url(postgres_url: str) -> None:
    """The URL's options (the tests' search_path) reach the connection."""
    [(path,)] = direct.execute(postgres_url, "SHOW search_path", {})
    options = make_url(postgres_url).query.get("options", "")
    assert str(path) in str(options)


def test_autocommit_each_statement_stands_alone(postgres_url: str) -> None:
    direct.execute(postgres_url, "CREATE TEMP TABLE IF NOT EXISTS direct_t (n int)", {})
    direct.execute(postgres_url, "INSERT INTO direct_t VALUES (1)", {})
    with pytest.raises(psycopg2.errors.UndefinedColumn):
        direct.execute(postgres_url, "SELECT missing FROM direct_t", {})
    # No transaction was left aborted by the error: the next statement runs.
    assert direct.execute(postgres_url, "SELECT count(*) FROM direct_t", {}) == [(1,)]


def test_a_connection_the_server_cut_is_replaced_and_the_statement_run(
    postgres_url: str,
) -> None:
    before = _backend(postgres_url)
    killer = threading.Thread(target=lambda: _terminate(postgres_url, before))
    killer.start()
    killer.join()
    after = _backend(postgres_url)
    assert after != before


def test_a_new_connection_that_fails_is_not_retried(postgres_url: str) -> None:
    url = (
        make_url(postgres_url)
        .set(database="no_such_database_for_direct")
        .render_as_string(hide_password=False)
    )
    try:
        with pytest.raises(psycopg2.OperationalError, match="no_such_database_for_direct"):
            direct.execute(url, BACKEND, {})
    finally:
        dispose_engines(url)


def test_dispose_engines_closes_every_threads_connection(postgres_url: str) -> None:
    mine = _backend(postgres_url)
    other_thread_pid = _in_thread(postgres_url)
    dispose_engines(postgres_url)
    deadline = time.monotonic() + 5  # a backend exits shortly after its client closed
    while True:
        [(alive,)] = direct.execute(
            postgres_url,
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%(pids)s)",
            {"pids": [mine, other_thread_pid]},
        )
        if alive == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert alive == 0
    assert _backend(postgres_url) != mine  # this thread opened a new one
