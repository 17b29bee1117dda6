"""Webhook authentication, pure functions: Meta's X-Hub-Signature-256 and verify handshake,
Telegram's secret-token header, bearer tokens, and the loopback rule of servers run without
their token. Every comparison is constant-time."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Iterable, Mapping

SIGNATURE_PREFIX = "sha256="
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
#: Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and - in setWebhook's secret_token.
TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def hub_signature(body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 header value Meta sends for `body`."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def well_formed_signature(header: str | None) -> bool:
    """Whether `header` reads `sha256=<64 hex digits>`; no secret can match any other header."""
    if not header:
        return False
    header = header.strip()
    prefix, received = header[: len(SIGNATURE_PREFIX)], header[len(SIGNATURE_PREFIX) :]
    return prefix.lower() == SIGNATURE_PREFIX and _HEX64.match(received) is not None


def verify_hub_signature(body: bytes, header: str | None, app_secret: str) -> bool:
    """True when `header` is `sha256=<hex HMAC-SHA256 of the raw body>` with this app secret."""
    if not app_secret or not header or not well_formed_signature(header):
        return False
    received = header.strip()[len(SIGNATURE_PREFIX) :]
    expected = hub_signature(body, app_secret)[len(SIGNATURE_PREFIX) :]
    return hmac.compare_digest(expected, received.lower())


def matching_secrets(body: bytes, header: str | None, app_secrets: Iterable[str]) -> set[str]:
    """The app secrets (of all known accounts) under which the signature is valid."""
    return {secret for secret in set(app_secrets) if verify_hub_signature(body, header, secret)}


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header value, else None."""
    scheme, _, token = (authorization or "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def tokens_equal(received: str | None, expected: str | None) -> bool:
    """Constant-time equality of two tokens; False when either is missing."""
    if not received or not expected:
        return False
    return hmac.compare_digest(received.encode("utf-8"), expected.encode("utf-8"))


def hub_challenge(params: Mapping[str, str], verify_tokens: Iterable[str]) -> str | None:
    """The challenge to echo for a valid Meta subscription handshake, else None (answer 403)."""
    if params.get("hub.mode") != "subscribe":
        return None
    challenge = params.get("hub.challenge")
    token = params.get("hub.verify_token")
    if challenge is None or not token:
        return None
    matched = False
    for expected in verify_tokens:
        matched |= tokens_equal(token, expected)  # no early exit: timing says nothing
    return challenge if matched else None


def valid_telegram_secret(secret: str | None) -> bool:
    """Whether `secret` is usable as Telegram's secret_token (so setWebhook will accept it)."""
    return bool(secret) and TELEGRAM_SECRET.match(secret or "") is not None


def is_loopback(peer: str | None) -> bool:
    """Whether a socket peer address is this machine's loopback (127.0.0.0/8, ::1, or IPv4
    loopback mapped into IPv6). Anything else, a Unix socket's empty peer included, is not."""
    try:
        address = ipaddress.ip_address((peer or "").split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def loopback_only_reason(variable: str) -> str:
    """The 403 text of a server without its token to a caller from another machine."""
    return f"{variable} is not set: this server answers callers on this machine only"


def caller_refusal(
    authorization: str | None, peer: str | None, token: str | None, variable: str
) -> tuple[int, str] | None:
    """None when the caller may go on, else (status, reason).

    With a token every caller needs `Authorization: Bearer <token>` (401 missing, 403 wrong);
    without one only loopback peers are served (403 otherwise), judged by the socket's peer,
    never by forwarded headers, so a server on 0.0.0.0 (plain `rasa run`, `rasa run actions`)
    is still closed to other machines.
    """
    if token is None:
        return None if is_loopback(peer) else (403, loopback_only_reason(variable))
    received = bearer_token(authorization)
    if received is None:
        return 401, "missing bearer token"
    return None if tokens_equal(received, token) else (403, "bad token")
