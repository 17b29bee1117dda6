"""The Rasa server and its tracker store, as far as the admin API needs them: readiness (a model is
loaded) and erasing a conversation's tracker (Rasa Open Source has no deletion endpoint).

Where tracker data lives:
- TRACKER_STORE_URL set (an SQL tracker store): rows of Rasa's `events` table with the sender id
  are deleted directly.
- RASA_URL set: `PUT /conversations/<id>/tracker/events` with `[]` replaces the tracker by an
  empty one; for Rasa's default in-memory store that is the deletion, for other stores it also
  clears the running server's view. The tracker is then read back: erasure is reported only
  when it holds no user message any more.
The conversation id goes into the URL as written (`quote(id, safe=":@+=")`): Sanic does not
decode `%3A`, so an id with its colons quoted names another, empty conversation.
- neither: the tracker (Rasa's default in-memory store) lives in the Rasa process and ends with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import quote

import requests
from sqlalchemy import MetaData, Table, create_engine, delete, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from api.core.config import ApiConfig

logger = logging.getLogger(__name__)

TRACKER_TABLE = "events"
#: The windowed tracker store's checkpoints (booking_core/rasa_stores/event_logs.py; named here
#: because the admin API does not import Rasa): they hold slot values, so they go too.
CHECKPOINT_TABLE = "tracker_checkpoints"


class TrackerErasureError(RuntimeError):
    """Tracker data could not be erased (the caller keeps the contact, so a retry can finish)."""


@dataclass
class TrackerErasure:
    """What happened to the tracker data of one contact."""

    sql_tracker_store: str = "not configured"
    sql_events_deleted: int = 0
    rasa_server: str = "not configured"
    notes: list[str] = field(default_factory=list)


def _params(config: ApiConfig) -> dict[str, str]:
    return {"token": config.rasa_token} if config.rasa_token else {}


def process_status(url: str, timeout: float = 2.0) -> str:
    """'ok' when a process's health URL answers 2xx, else a short reason. The URLs carry no
    token (Rasa's `/` needs none), so none ends up in a log."""
    try:
        response = requests.get(url, timeout=timeout)
    except requests.RequestException:
        return "unreachable"
    return "ok" if response.ok else f"HTTP {response.status_code}"


def rasa_model_status(config: ApiConfig) -> str:
    """'ok' when Rasa's GET /status names a loaded model, else a short reason."""
    if not config.rasa_url:
        return "not configured"
    try:
        response = requests.get(
            f"{config.rasa_url}/status", params=_params(config), timeout=config.http_timeout
        )
    except requests.RequestException as exc:
        logger.warning("Rasa status check failed: %s", type(exc).__name__)
        return "unreachable"
    if response.status_code == 409:  # Rasa answers 409 Conflict while no agent is loaded
        return "no model loaded"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return "invalid response"
    if isinstance(body, dict) and (body.get("model_file") or body.get("model_id")):
        return "ok"
    return "no model loaded"


def tracker_store_url(url: str) -> URL:
    """The URL as SQLAlchemy 1.4 takes it (`postgres://` is spelled `postgresql://` there),
    read the way `booking_core.rasa_stores` configures Rasa's SQLTrackerStore from it."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver == "postgres" or driver.startswith("postgres+"):
        parsed = parsed.set(drivername="postgresql" + driver[len("postgres") :])
    if not parsed.database:
        parsed = parsed.set(database="rasa.db" if driver.startswith("sqlite") else "rasa")
    return parsed


def _delete_sql_events(url: str, sender_ids: list[str]) -> int:
    engine = create_engine(tracker_store_url(url), future=True)
    try:
        if not inspect(engine).has_table(TRACKER_TABLE):
            return 0
        table = Table(TRACKER_TABLE, MetaData(), autoload_with=engine)
        if "sender_id" not in table.c:
            raise TrackerErasureError(f"tracker table {TRACKER_TABLE!r} has no sender_id column")
        with engine.begin() as connection:
            result = connection.execute(delete(table).where(table.c.sender_id.in_(sender_ids)))
            if inspect(engine).has_table(CHECKPOINT_TABLE):  # the windows' restored slots
                checkpoints = Table(CHECKPOINT_TABLE, MetaData(), autoload_with=engine)
                connection.execute(
                    delete(checkpoints).where(checkpoints.c.sender_id.in_(sender_ids))
                )
            return int(result.rowcount or 0)
    finally:
        engine.dispose()


#: Characters a conversation id keeps in the URL path (Rasa's router sees the path undecoded).
ID_SAFE = ":@+="


def conversation_url(config: ApiConfig, sender_id: str, tail: str) -> str:
    """Rasa's URL of one conversation's resource, the id as Rasa's router will read it."""
    return f"{config.rasa_url}/conversations/{quote(sender_id, safe=ID_SAFE)}/{tail}"


def _user_messages_left(config: ApiConfig, sender_id: str) -> int:
    """How many user messages the server's tracker of `sender_id` still holds."""
    try:
        response = requests.get(
            conversation_url(config, sender_id, "tracker"),
            params={**_params(config), "include_events": "ALL"},
            timeout=config.http_timeout,
        )
        events = response.json().get("events") if response.status_code == 200 else None
    except (requests.RequestException, ValueError, AttributeError):
        events = None
    if not isinstance(events, list):
        raise TrackerErasureError("Rasa server did not show the tracker after the reset")
    return sum(1 for event in events if isinstance(event, dict) and event.get("event") == "user")


def _reset_on_server(config: ApiConfig, sender_id: str) -> None:
    url = conversation_url(config, sender_id, "tracker/events")
    try:
        response = requests.put(url, json=[], params=_params(config), timeout=config.http_timeout)
    except requests.RequestException as exc:
        raise TrackerErasureError(f"Rasa server unreachable ({type(exc).__name__})") from None
    if response.status_code >= 300:
        raise TrackerErasureError(f"Rasa server answered HTTP {response.status_code}")
    left = _user_messages_left(config, sender_id)
    if left:
        raise TrackerErasureError(f"the tracker still holds {left} user message(s)")


def erase_trackers(config: ApiConfig, sender_ids: list[str]) -> TrackerErasure:
    """Erase the trackers of these conversations everywhere configured; raises on failure."""
    outcome = TrackerErasure()
    if config.tracker_store_url:
        try:
            outcome.sql_events_deleted = _delete_sql_events(config.tracker_store_url, sender_ids)
        except (SQLAlchemyError, ArgumentError, ValueError) as exc:
            logger.warning("tracker store erasure failed: %s", type(exc).__name__)
            raise TrackerErasureError("tracker store (TRACKER_STORE_URL) unreachable") from None
        outcome.sql_tracker_store = "deleted"
    if config.rasa_url:
        for sender_id in sender_ids:
            _reset_on_server(config, sender_id)
        outcome.rasa_server = "tracker replaced by an empty one"
    if not config.tracker_store_url and not config.rasa_url:
        outcome.notes.append(
            "neither TRACKER_STORE_URL nor RASA_URL is set: Rasa's default in-memory tracker "
            "store keeps the conversation in the Rasa process memory until it restarts"
        )
    elif not config.tracker_store_url:
        outcome.notes.append(
            "TRACKER_STORE_URL is not set: with Rasa's in-memory tracker store the reset on the "
            "server is the deletion; with a persistent store set TRACKER_STORE_URL too"
        )
    return outcome
