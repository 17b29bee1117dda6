"""booking_core.crypto: Fernet encryption with rotation, key parsing, lookup hashes."""

from __future__ import annotations

import pytest

from booking_core import crypto
from booking_core.crypto import SecretBox, SecretKeyError, generate_key, lookup_hash


def test_round_trip_and_rotation() -> None:
    old, new = generate_key(), generate_key()
    token = SecretBox([old]).encrypt("bot-token")
    assert "bot-token" not in token
    rotated_box = SecretBox([new, old])
    assert rotated_box.decrypt(token) == "bot-token"
    rotated = rotated_box.rotate(token)
    assert SecretBox([new]).decrypt(rotated) == "bot-token"
    with pytest.raises(SecretKeyError):
        SecretBox([new]).decrypt(token)


def test_keys_from_environment() -> None:
    a, b = generate_key(), generate_key()
    box = SecretBox.from_env({"SECRET_KEYS": f" {a} , {b} ,"})
    assert box.decrypt(SecretBox([b]).encrypt("x")) == "x"
    for bad in ({}, {"SECRET_KEYS": ""}, {"SECRET_KEYS": "not-a-key"}):
        with pytest.raises(SecretKeyError):
            SecretBox.from_env(bad)


def test_lookup_hash_is_stable_sha256() -> None:
    assert lookup_hash("abc") == lookup_hash("abc") != lookup_hash("abd")
    assert len(lookup_hash("abc")) == 64


def test_cli(capsys, sqlite_url, secret_keys) -> None:
    assert crypto.main(["generate-key"]) == 0
    SecretBox([capsys.readouterr().out.strip()])  # a valid key
    assert crypto.main(["rotate", sqlite_url]) == 0
    assert "re-encrypted 0" in capsys.readouterr().out
    assert crypto.main(["nonsense"]) == 2
