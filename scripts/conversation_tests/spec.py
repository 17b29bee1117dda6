"""Reading test conversation files (the format is in this package's docstring).

Every mistake in a file is a `SpecError` naming the file, the conversation and the place, and
unknown keys are refused: a misspelt `contians:` must not turn a check into no check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

import yaml

from scripts.conversation_tests.days import DayError, fill_days, resolve_day


class SpecError(ValueError):
    """A conversation file that does not follow the format."""


class ConversationLoader(yaml.SafeLoader):
    """YAML without booleans: `user: yes` is the text "yes" and `buttons: [Yes, No]` are
    titles (YAML 1.1 would read them as true and false; nothing in the format is one)."""


ConversationLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class ExpectedMessage:
    """One bot message as expected: exact text, pieces it contains, button titles in order."""

    text: str | None = None
    contains: tuple[str, ...] = ()
    buttons: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Turn:
    """What the user says (text, or a button of the last answer by title or 1-based number)
    and the bot's answer as expected (None: not checked)."""

    user: str | None
    button: str | int | None
    bot: tuple[ExpectedMessage, ...] | None


@dataclass(frozen=True)
class Event:
    """A booking expected at the end, or a busy event put in the calendar before the start."""

    title: str
    day: str
    start: time
    minutes: int
    location: str | None = None


@dataclass(frozen=True)
class Conversation:
    """One test conversation of a file."""

    name: str
    source: str
    turns: tuple[Turn, ...]
    bookings: tuple[Event, ...] = ()
    calendar: tuple[Event, ...] = ()


CONVERSATION_KEYS = {"name", "turns", "bookings", "calendar"}
TURN_KEYS = {"user", "button", "bot"}
MESSAGE_KEYS = {"text", "contains", "buttons"}
EVENT_KEYS = {"title", "date", "start", "minutes", "location"}


def _check_keys(item: Any, allowed: set[str], where: str, required: Iterable[str] = ()) -> None:
    if not isinstance(item, dict):
        raise SpecError(f"{where}: expected a mapping, got {item!r}")
    unknown = sorted(set(map(str, item)) - allowed)
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)} "
                        f"(allowed: {', '.join(sorted(allowed))})")  # fmt: skip
    missing = [key for key in required if key not in item]
    if missing:
        raise SpecError(f"{where}: missing {', '.join(missing)}")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, (str, int, float)) and str(v) for v in items):
        raise SpecError(f"{where}: expected a text or a list of texts, got {value!r}")
    return tuple(str(v) for v in items)


def _message(item: Any, where: str) -> ExpectedMessage:
    if isinstance(item, str):
        return ExpectedMessage(text=item)
    _check_keys(item, MESSAGE_KEYS, where)
    buttons = item.get("buttons")
    expected = ExpectedMessage(
        text=None if item.get("text") is None else str(item["text"]),
        contains=_strings(item["contains"], f"{where}.contains") if "contains" in item else (),
        buttons=None if buttons is None else (
            _strings(buttons, f"{where}.buttons") if buttons != [] else ()),
    )  # fmt: skip
    if expected == ExpectedMessage():
        raise SpecError(f"{where}: say what is expected (text, contains or buttons)")
    return expected


def _turn(item: Any, where: str) -> Turn:
    _check_keys(item, TURN_KEYS, where)
    said = [key for key in ("user", "button") if key in item]
    if len(said) != 1:
        raise SpecError(f"{where}: give exactly one of user (a text) or button (a title or a "
                        "number)")  # fmt: skip
    button = item.get("button")
    if button is not None and not isinstance(button, (str, int)):
        raise SpecError(f"{where}.button: a title or a 1-based number, got {button!r}")
    bot = item.get("bot")
    if bot is not None and not isinstance(bot, list):
        bot = [bot]
    return Turn(
        user=None if "user" not in item else str(item["user"]),
        button=button,
        bot=None if bot is None else tuple(
            _message(m, f"{where}.bot[{i + 1}]") for i, m in enumerate(bot)),
    )  # fmt: skip


def _event(item: Any, where: str, today: date) -> Event:
    _check_keys(item, EVENT_KEYS, where, required=("title", "date", "start", "minutes"))
    try:
        resolve_day(str(item["date"]), today)
    except DayError as exc:
        raise SpecError(f"{where}.date: {exc}") from None
    start = item["start"]
    if isinstance(start, int):  # YAML reads an unquoted 15:00 as 900 (base 60)
        start = f"{start // 60:02d}:{start % 60:02d}"
    try:
        at = time.fromisoformat(str(start))
    except ValueError:
        raise SpecError(f"{where}.start: expected HH:MM, got {start!r}") from None
    minutes = item["minutes"]
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise SpecError(f"{where}.minutes: expected a positive whole number, got {minutes!r}")
    location = item.get("location")
    return Event(str(item["title"]), str(item["date"]), at, minutes,
                 None if location is None else str(location))  # fmt: skip


def _conversation(item: Any, source: str, index: int, today: date) -> Conversation:
    where = f"{source}: conversation {index + 1}"
    _check_keys(item, CONVERSATION_KEYS, where, required=("name", "turns"))
    name = str(item["name"])
    where = f"{source}: {name!r}"
    turns = item["turns"]
    if not isinstance(turns, list) or not turns:
        raise SpecError(f"{where}: turns must be a non-empty list")
    parsed = tuple(_turn(t, f"{where} turn {i + 1}") for i, t in enumerate(turns))
    for i, turn in enumerate(parsed):
        texts = [turn.user or ""] + [m.text or "" for m in turn.bot or ()]
        for text in texts + [c for m in turn.bot or () for c in m.contains]:
            try:
                fill_days(text, today)
            except DayError as exc:
                raise SpecError(f"{where} turn {i + 1}: {exc}") from None
    events = {}
    for key in ("bookings", "calendar"):
        listed = item.get(key) or []
        if not isinstance(listed, list):
            raise SpecError(f"{where}.{key}: expected a list")
        events[key] = tuple(_event(e, f"{where}.{key}[{i + 1}]", today)
                            for i, e in enumerate(listed))  # fmt: skip
    return Conversation(name, source, parsed, events["bookings"], events["calendar"])


def parse_conversations(data: Any, source: str, today: date | None = None) -> list[Conversation]:
    """The conversations of one file's YAML data (`conversations:`, a list)."""
    if not isinstance(data, dict) or set(data) != {"conversations"}:
        raise SpecError(f"{source}: expected one top-level key, conversations")
    listed = data["conversations"]
    if not isinstance(listed, list) or not listed:
        raise SpecError(f"{source}: conversations must be a non-empty list")
    day = today or date.today()
    conversations = [_conversation(c, source, i, day) for i, c in enumerate(listed)]
    names = [c.name for c in conversations]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SpecError(f"{source}: conversation names repeat: {', '.join(repeated)}")
    return conversations


def conversation_files(paths: Iterable[Path]) -> list[Path]:
    """The .yml/.yaml files named, or found in the directories named, in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in {".yml", ".yaml"}))
        elif path.is_file():
            found.append(path)
        else:
            raise SpecError(f"{path}: no such file or directory")
    return found


def load_conversations(paths: Iterable[Path], today: date | None = None) -> list[Conversation]:
    """Every conversation of the files and directories named."""
    conversations: list[Conversation] = []
    for path in conversation_files(paths):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=ConversationLoader)
        except yaml.YAMLError as exc:
            raise SpecError(f"{path}: not YAML: {exc}") from None
        conversations.extend(parse_conversations(data, str(path), today))
    return conversations
