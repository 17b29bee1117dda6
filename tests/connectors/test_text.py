"""Chunking, truncation and button references."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.text import (
    button_payload,
    button_reference,
    chunk_text,
    parse_button_reference,
    truncate,
    utf16_len,
)


def test_short_text_is_one_chunk_and_blank_is_none() -> None:
    assert chunk_text("  hello  ", 4096) == ["hello"]
    assert chunk_text(" \n ", 10) == []


def test_prefers_paragraph_then_line_then_word_boundaries() -> None:
    assert chunk_text("aaaa\n\nbbbb", 7) == ["aaaa", "bbbb"]
    assert chunk_text("aaaa\nbbbb cc", 9) == ["aaaa", "bbbb cc"]
    assert chunk_text("one two three", 8) == ["one two", "three"]
    assert chunk_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]


def test_exactly_4096_and_one_more() -> None:
    assert len(chunk_text("x" * 4096, 4096)) == 1
    assert [len(c) for c in chunk_text("x" * 4097, 4096)] == [4096, 1]


def test_utf16_measure_counts_emoji_as_two() -> None:
    text = "😀" * 5
    assert utf16_len(text) == 10
    assert chunk_text(text, 4, measure=utf16_len) == ["😀😀", "😀😀", "😀"]


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        chunk_text("x", 0)


@given(
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=600),
    limit=st.integers(min_value=2, max_value=80),
    utf16=st.booleans(),
)
def test_chunks_fit_are_non_empty_and_keep_every_character(text, limit, utf16) -> None:
    measure = utf16_len if utf16 else len
    chunks = chunk_text(text, limit, measure=measure)
    assert all(c and c == c.strip() and measure(c) <= limit for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


def test_truncate() -> None:
    assert truncate("Yes", 20) == "Yes"
    assert truncate("Change   the\ntime", 20) == "Change the time"
    assert truncate("A very long button title indeed", 20) == "A very long button…"
    assert len(truncate("x" * 50, 20)) == 20


def test_button_reference_only_when_the_payload_does_not_fit() -> None:
    assert button_reference("/affirm", 0, 64) == "/affirm"
    long = '/inform{"event_title": "' + "é" * 30 + '"}'
    assert len(long) < 64 < len(long.encode())
    assert button_reference(long, 3, 64) == "#3"
    assert button_reference("#1", 5, 64) == "#5"  # a payload that looks like a reference
    assert parse_button_reference("#12") == 12
    assert parse_button_reference("/affirm") is None and parse_button_reference("#x") is None


def test_button_payload_falls_back_to_title() -> None:
    assert button_payload({"title": "Yes", "payload": "/affirm"}) == "/affirm"
    assert button_payload({"title": "Yes"}) == "Yes"
    assert button_payload({"title": "Yes", "payload": " "}) == "Yes"
