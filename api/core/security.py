"""Credentials: the admin key (constant-time comparison), tenant API keys (hashed, looked up in
the data layer) and the signed OAuth `state` that binds a Google authorization to one tenant
(its nonce is recorded in the database so each state works once)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone


def admin_key_matches(presented: str | None, configured: str) -> bool:
    """Constant-time comparison of a presented credential with the admin key."""
    if not presented:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), configured.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    key = hashlib.sha256(b"oauth-state:" + secret.encode("utf-8")).digest()
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


@dataclass(frozen=True, repr=False)
class SignedState:
    """An OAuth `state`: the string for the URL and what it says (its nonce is a secret)."""

    value: str
    tenant_id: int
    nonce: str
    expires_at: datetime

    def __repr__(self) -> str:
        return f"SignedState(tenant_id={self.tenant_id}, <redacted>)"


def issue_state(
    *, tenant_id: int, secret: str, ttl_seconds: int, now: float | None = None
) -> SignedState:
    """A new state: tenant id, expiry and a 128-bit nonce, HMAC-SHA256 signed as
    `<payload>.<mac>`; the caller records the nonce so the state works once."""
    issued = time.time() if now is None else now
    nonce = secrets.token_urlsafe(16)
    expires = int(issued + ttl_seconds)
    body = {"t": tenant_id, "exp": expires, "n": nonce}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return SignedState(
        value=f"{payload}.{_mac(secret, payload)}",
        tenant_id=tenant_id,
        nonce=nonce,
        expires_at=datetime.fromtimestamp(expires, timezone.utc),
    )


def read_state(state: str, *, secret: str, now: float | None = None) -> SignedState | None:
    """What a validly signed, unexpired state says; None for anything else."""
    payload, _, mac = state.partition(".")
    if not payload or not mac or not payload.isascii() or not mac.isascii():
        return None
    if not hmac.compare_digest(_mac(secret, payload), mac):
        return None
    try:
        body = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(body, dict):
        return None
    tenant_id, expires, nonce = body.get("t"), body.get("exp"), body.get("n")
    if not isinstance(tenant_id, int) or not isinstance(expires, int):
        return None
    if not isinstance(nonce, str) or not nonce:
        return None
    if (time.time() if now is None else now) > expires:
        return None
    return SignedState(
        value=state,
        tenant_id=tenant_id,
        nonce=nonce,
        expires_at=datetime.fromtimestamp(expires, timezone.utc),
    )
