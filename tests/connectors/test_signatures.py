"""Signature and token checks: exact behaviour plus fuzzing (never an exception)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.signatures import (
    caller_refusal,
    hub_challenge,
    hub_signature,
    is_loopback,
    matching_secrets,
    tokens_equal,
    valid_telegram_secret,
    verify_hub_signature,
)

BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def test_hub_signature_round_trip_and_tampering() -> None:
    header = hub_signature(BODY, "secret")
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_hub_signature(BODY, header, "secret")
    assert verify_hub_signature(BODY, "SHA256=" + header[7:].upper(), "secret")
    assert not verify_hub_signature(BODY + b" ", header, "secret")
    assert not verify_hub_signature(BODY, header, "other")
    assert not verify_hub_signature(BODY, header[7:], "secret")  # no prefix
    assert not verify_hub_signature(BODY, "sha1=" + header[7:47], "secret")  # Rasa's old SHA-1
    assert not verify_hub_signature(BODY, None, "secret")
    assert not verify_hub_signature(BODY, header, "")


def test_matching_secrets_picks_the_signing_apps() -> None:
    header = hub_signature(BODY, "b")
    assert matching_secrets(BODY, header, ["a", "b", "b", "c"]) == {"b"}
    assert matching_secrets(BODY, header, []) == set()


def test_hub_challenge() -> None:
    ok = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert hub_challenge(ok, ["other", "tok"]) == "1158201444"
    assert hub_challenge({**ok, "hub.mode": "unsubscribe"}, ["tok"]) is None
    assert hub_challenge({**ok, "hub.verify_token": "bad"}, ["tok"]) is None
    assert hub_challenge({**ok, "hub.verify_token": ""}, [""]) is None
    assert hub_challenge({"hub.mode": "subscribe", "hub.verify_token": "tok"}, ["tok"]) is None


def test_tokens_and_telegram_secret_format() -> None:
    assert tokens_equal("abc", "abc") and not tokens_equal("abc", "abd")
    assert not tokens_equal(None, "x") and not tokens_equal("", "")
    assert valid_telegram_secret("Abc_09-x") and valid_telegram_secret("a" * 256)
    assert not valid_telegram_secret("a" * 257) and not valid_telegram_secret("a b")
    assert not valid_telegram_secret("") and not valid_telegram_secret(None)


@given(
    body=st.binary(max_size=512),
    header=st.one_of(st.none(), st.text(max_size=80)),
    secret=st.text(max_size=40),
)
def test_verify_never_raises(body: bytes, header: str | None, secret: str) -> None:
    assert verify_hub_signature(body, header, secret) in (True, False)


@given(
    params=st.dictionaries(
        st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "x"]),
        st.text(max_size=20),
    ),
    tokens=st.lists(st.text(max_size=20), max_size=3),
)
def test_challenge_never_raises(params: dict[str, str], tokens: list[str]) -> None:
    result = hub_challenge(params, tokens)
    assert result is None or result == params["hub.challenge"]


@pytest.mark.parametrize(
    ("peer", "loopback"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
     ("192.0.2.2", False), ("10.0.0.1", False), ("::ffff:192.0.2.2", False), ("fd00::2", False),
     ("", False), (None, False), ("localhost", False), ("/tmp/sock", False)],
)  # fmt: skip
def test_loopback_is_judged_by_the_address(peer: str | None, loopback: bool) -> None:
    assert is_loopback(peer) is loopback


def test_without_a_token_only_loopback_callers_are_served() -> None:
    assert caller_refusal(None, "127.0.0.1", None, "X_TOKEN") is None
    assert caller_refusal("Bearer anything", "::1", None, "X_TOKEN") is None
    status, reason = caller_refusal(None, "192.0.2.2", None, "X_TOKEN") or (0, "")
    assert status == 403 and "X_TOKEN is not set" in reason and "this machine" in reason


def test_with_a_token_every_caller_needs_it_loopback_too() -> None:
    assert caller_refusal(None, "127.0.0.1", "t0k", "X") == (401, "missing bearer token")
    assert caller_refusal("Bearer nope", "127.0.0.1", "t0k", "X") == (403, "bad token")
    assert caller_refusal("Bearer t0k", "192.0.2.2", "t0k", "X") is None
