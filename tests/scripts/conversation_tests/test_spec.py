"""scripts/conversation_tests/spec.py: the conversation files are read strictly, every mistake
named with its place, and the project's own files and the documented example are valid."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
import yaml

import scripts.conversation_tests as package
from scripts.conversation_tests.spec import (
    ConversationLoader,
    Event,
    ExpectedMessage,
    SpecError,
    Turn,
    load_conversations,
    parse_conversations,
)

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 12, 6)


def parse(text: str) -> list:
    return parse_conversations(yaml.load(text, Loader=ConversationLoader), "t.yml", TODAY)


def documented_example() -> str:
    """The example in the package's docstring (what the README points to)."""
    lines = package.__doc__.split("\n")
    start = next(i for i, line in enumerate(lines) if "- name:" in line)
    end = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("- {title: D"))
    return "conversations:\n" + "\n".join(line[4:] for line in lines[start : end + 1])


def test_the_documented_example_reads_as_documented() -> None:
    [conversation] = parse(documented_example())
    assert conversation.name == "an all-in-one booking is confirmed"
    assert conversation.calendar == (Event("Massage", "next friday", time(10), 60),)
    first, press, thanks = conversation.turns
    assert first.user.startswith("book a dentist") and first.bot == (
        ExpectedMessage(text="Dentist appointment, {next wednesday}, 15:00-15:45 (Europe/London)."
                        " Shall I book it?", buttons=("Yes", "Change", "Cancel")),
    )  # fmt: skip
    assert press == Turn(None, "Yes", (ExpectedMessage(contains=("Booked: Dentist appointment",
                                                                 ".ics")),))  # fmt: skip
    assert thanks.bot is None
    assert conversation.bookings == (Event("Dentist appointment", "next wednesday", time(15), 45),)


def test_the_projects_conversations_are_valid() -> None:
    conversations = load_conversations([ROOT / "tests" / "conversations"], TODAY)
    assert len(conversations) >= 15
    assert all(c.source.endswith(".yml") for c in conversations)


def test_no_booleans_yes_is_a_text_and_a_title() -> None:
    [conversation] = parse("""
conversations:
  - name: n
    turns:
      - user: yes
        bot: [{buttons: [Yes, No, on]}]
      - button: 2
""")
    expected = (ExpectedMessage(buttons=("Yes", "No", "on")),)
    assert conversation.turns[0] == Turn("yes", None, expected)
    assert conversation.turns[1].button == 2


def test_a_plain_string_is_an_exact_text_and_one_mapping_may_stand_for_a_list() -> None:
    [conversation] = parse("""
conversations:
  - name: n
    turns:
      - user: hi
        bot: "Hello!"
      - user: more
        bot: {contains: one piece, buttons: []}
""")
    assert conversation.turns[0].bot == (ExpectedMessage(text="Hello!"),)
    assert conversation.turns[1].bot == (ExpectedMessage(contains=("one piece",), buttons=()),)


def test_an_unquoted_time_is_read_as_the_time() -> None:
    [conversation] = parse("""
conversations:
  - name: n
    turns: [{user: hi}]
    bookings: [{title: T, date: tomorrow, start: 15:30, minutes: 30}]
""")
    assert conversation.bookings[0].start == time(15, 30)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("conversations: []", "non-empty list"),
        ("stories: []", "one top-level key, conversations"),
        ("conversations: [{name: n}]", "conversation 1: missing turns"),
        ("conversations: [{name: n, turns: []}]", "'n': turns must be a non-empty list"),
        ("conversations: [{name: n, turns: [{user: a, button: 1}]}]", "'n' turn 1: give exactly"),
        ("conversations: [{name: n, turns: [{bot: [x]}]}]", "'n' turn 1: give exactly"),
        ("conversations: [{name: n, turns: [{user: a, bot: [{contians: x}]}]}]",
         "'n' turn 1.bot[1]: unknown key(s) contians"),
        ("conversations: [{name: n, turns: [{user: a, bot: [{}]}]}]", "say what is expected"),
        ("conversations: [{name: n, turns: [{user: a, bot: [{text: null}]}]}]", "say what is"),
        ("conversations: [{name: n, turns: [{button: [1]}]}]", "a title or a 1-based"),
        ("conversations: [{name: n, turns: [{user: 'on {someday}'}]}]", "unknown day 'someday'"),
        ("conversations: [{name: n, turns: [{user: a}], bookings: [{title: T, date: never, "
         "start: '10:00', minutes: 5}]}]", "'n'.bookings[1].date: unknown day"),
        ("conversations: [{name: n, turns: [{user: a}], calendar: [{title: T, date: today, "
         "start: noon, minutes: 5}]}]", "'n'.calendar[1].start: expected HH:MM"),
        ("conversations: [{name: n, turns: [{user: a}], bookings: [{title: T, date: today, "
         "start: '10:00', minutes: 0}]}]", "minutes: expected a positive whole number"),
        ("conversations: [{name: n, turns: [{user: a}], bookings: [{title: T, date: today}]}]",
         "missing start, minutes"),
        ("conversations: [{name: n, turns: [{user: a}]}, {name: n, turns: [{user: b}]}]",
         "names repeat: n"),
        ("conversations: [{name: n, turns: [{user: a}], when: today}]", "unknown key(s) when"),
    ],
)  # fmt: skip
def test_mistakes_are_named_with_their_place(body: str, message: str) -> None:
    with pytest.raises(SpecError, match=r"t\.yml") as raised:
        parse(body)
    assert message in str(raised.value)


def test_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "b.yml").write_text("conversations: [{name: b, turns: [{user: hi}]}]")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text("conversations: [{name: a, turns: [{user: hi}]}]")
    (tmp_path / "notes.txt").write_text("not a conversation")
    assert [c.name for c in load_conversations([tmp_path], TODAY)] == ["b", "a"]
    with pytest.raises(SpecError, match="no such file"):
        load_conversations([tmp_path / "missing.yml"], TODAY)
    (tmp_path / "bad.yml").write_text("conversations: [unclosed")
    with pytest.raises(SpecError, match="not YAML"):
        load_conversations([tmp_path / "bad.yml"], TODAY)
