"""Encryption of stored secrets (channel access tokens, app secrets, bot tokens, Google
refresh tokens and service-account keys).

Secrets are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) through `MultiFernet`, so keys can be
rotated: `SECRET_KEYS` is a comma-separated list of Fernet keys, the first one encrypts, every one
of them decrypts. To rotate, put a new key first, run `python -m booking_core.crypto rotate`
(re-encrypts every stored secret with the first key, see
`booking_core.db.repository.key_rotation`, and prints how many of each kind), then drop the old key.

`python -m booking_core.crypto generate-key` prints a new key.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

ENV_VAR = "SECRET_KEYS"


class SecretKeyError(RuntimeError):
    """Raised when SECRET_KEYS is missing or malformed, or a value cannot be decrypted."""


def generate_key() -> str:
    """A new random Fernet key (url-safe base64 of 32 bytes)."""
    return Fernet.generate_key().decode("ascii")


def lookup_hash(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret, to find its owner without decrypting every row.

    Only for random tokens (e.g. Telegram webhook secrets): a plain hash of a guessable value
    would be brute-forceable, but a 32+ byte random token is not.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class SecretBox:
    """Encrypts and decrypts strings with the configured keys (the first key encrypts)."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise SecretKeyError(f"{ENV_VAR} is empty: set at least one Fernet key")
        try:
            self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])
        except (ValueError, UnicodeEncodeError) as exc:
            raise SecretKeyError(
                f"{ENV_VAR} must hold comma-separated Fernet keys "
                "(generate one with `python -m booking_core.crypto generate-key`)"
            ) from exc

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SecretBox:
        """Keys from SECRET_KEYS (comma-separated); raises SecretKeyError when unset or bad."""
        env = os.environ if environ is None else environ
        keys = [key.strip() for key in env.get(ENV_VAR, "").split(",") if key.strip()]
        return cls(keys)

    def encrypt(self, plaintext: str) -> str:
        """Encrypt with the first key; the token embeds its own timestamp and MAC."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt with whichever configured key made the token."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise SecretKeyError(
                "a stored secret cannot be decrypted with SECRET_KEYS (wrong or removed key?)"
            ) from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a token with the first key (for key rotation)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise SecretKeyError("a stored secret cannot be decrypted with SECRET_KEYS") from exc


def rotate(database_url: str | None = None) -> int:
    """`rotate`: re-encrypt every stored secret with the first key; prints the counts per kind.

    Exit status 1 (and nothing changed) when SECRET_KEYS is unusable or a stored value cannot
    be decrypted with any of its keys.
    """
    from booking_core.db.repository import rotate_stored_secrets
    from booking_core.db.session import session_scope

    try:
        box = SecretBox.from_env()
        with session_scope(database_url) as session:
            counts = rotate_stored_secrets(session, box=box)
    except SecretKeyError as exc:
        print(f"rotation failed: {exc}", file=sys.stderr)
        return 1
    print(f"re-encrypted {sum(counts.values())} stored secret(s) with the first SECRET_KEYS key")
    for kind, count in counts.items():
        print(f"  {kind}: {count}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """CLI: `generate-key` prints a key; `rotate [DATABASE_URL]` re-encrypts stored secrets."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["generate-key"]:
        print(generate_key())
        return 0
    if args[:1] == ["rotate"] and len(args) <= 2:
        return rotate(args[1] if len(args) == 2 else None)
    usage = "usage: python -m booking_core.crypto generate-key | rotate [DATABASE_URL]"
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
