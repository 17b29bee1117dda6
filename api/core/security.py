"""Credentials: the admin key (constant-time comparison), tenant API keys (hashed, looked up in
the data layer) and the signed OAuth `state` that binds a Google authorization to one tenant."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time


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


def sign_state(*, tenant_id: int, secret: str, ttl_seconds: int, now: float | None = None) -> str:
    """`<payload>.<mac>`: tenant id, expiry and a nonce, HMAC-SHA256 signed."""
    issued = time.time() if now is None else now
    body = {"t": tenant_id, "exp": int(issued + ttl_seconds), "n": secrets.token_urlsafe(12)}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_mac(secret, payload)}"


def verify_state(state: str, *, secret: str, now: float | None = None) -> int | None:
    """The tenant id of a valid, unexpired state; None for anything else."""
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
    tenant_id, expires = body.get("t"), body.get("exp")
    if not isinstance(tenant_id, int) or not isinstance(expires, int):
        return None
    if (time.time() if now is None else now) > expires:
        return None
    return tenant_id
