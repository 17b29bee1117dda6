"""Key rotation: re-encrypt every secret stored in the database with the first SECRET_KEYS key.

The encrypted values (Fernet tokens made by `booking_core.crypto.SecretBox`) live in
- the `*_enc` columns of `channel_accounts` (access token, app secret, verify token, bot token,
  webhook secret);
- `tenants.calendar_settings[<provider>][<name>_enc]`: Google's OAuth refresh token
  (`google.refresh_token_enc`) or service-account key (`google.service_account_info_enc`).
Both places are covered by name (`*_enc`), so a secret added later under that convention is
rotated too. API keys and Telegram lookup hashes are SHA-256 digests, not encrypted: no key.

Everything runs in the caller's one transaction with the rows locked (FOR UPDATE on
PostgreSQL; SQLite writers queue on BEGIN IMMEDIATE), so a secret the admin API writes meanwhile
is not overwritten with the rotated old one, and a value no configured key can decrypt rolls the
whole rotation back: the old key is still needed then, and nothing has changed.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking_core.crypto import SecretBox, SecretKeyError
from booking_core.db.models import ChannelAccount, Tenant
from booking_core.db.repository.channel_accounts import ChannelSecrets

#: Suffix of every stored field that holds a Fernet token.
ENCRYPTED_SUFFIX = "_enc"
CHANNEL_COLUMNS = tuple(f"{field.name}{ENCRYPTED_SUFFIX}" for field in fields(ChannelSecrets))
#: Calendar credentials always reported, even when none is stored.
KNOWN_CALENDAR_SECRETS = ("google.refresh_token_enc", "google.service_account_info_enc")


def _rotate(box: SecretBox, token: str, where: str) -> str:
    try:
        return box.rotate(token)
    except SecretKeyError as exc:
        raise SecretKeyError(
            f"{where} cannot be decrypted with any SECRET_KEYS key: nothing was re-encrypted "
            "(put the key that made it back into SECRET_KEYS)"
        ) from exc


def _rotate_channel_accounts(session: Session, box: SecretBox, counts: dict[str, int]) -> None:
    accounts = session.execute(
        select(ChannelAccount).order_by(ChannelAccount.id).with_for_update()
    ).scalars()
    for account in accounts:
        for column in CHANNEL_COLUMNS:
            token = getattr(account, column)
            if token:
                where = f"channel_accounts.{column} of account {account.id}"
                setattr(account, column, _rotate(box, token, where))
                counts[f"channel_accounts.{column}"] += 1


def _rotate_settings(
    settings: dict[str, Any], box: SecretBox, counts: dict[str, int], tenant_id: int
) -> dict[str, Any] | None:
    """A copy of `settings` with every `<section>.<name>_enc` re-encrypted; None if it has none."""
    rotated = dict(settings)
    changed = False
    for section_name, section in settings.items():
        if not isinstance(section, dict):
            continue
        new_section = dict(section)
        for name, token in section.items():
            if name.endswith(ENCRYPTED_SUFFIX) and isinstance(token, str) and token:
                kind = f"tenants.calendar_settings.{section_name}.{name}"
                new_section[name] = _rotate(box, token, f"{kind} of tenant {tenant_id}")
                counts[kind] = counts.get(kind, 0) + 1
                changed = True
        rotated[section_name] = new_section
    return rotated if changed else None


def rotate_stored_secrets(session: Session, *, box: SecretBox) -> dict[str, int]:
    """Re-encrypt every stored secret with the first key of `box`.

    Returns how many values of each kind were re-encrypted, keyed `<table>.<column>` (and
    `tenants.calendar_settings.<provider>.<name>`); every known kind is listed, with 0 if none.
    """
    counts = {f"channel_accounts.{column}": 0 for column in CHANNEL_COLUMNS}
    counts.update({f"tenants.calendar_settings.{kind}": 0 for kind in KNOWN_CALENDAR_SECRETS})
    _rotate_channel_accounts(session, box, counts)
    tenants = session.execute(select(Tenant).order_by(Tenant.id).with_for_update()).scalars()
    for tenant in tenants:
        rotated = _rotate_settings(dict(tenant.calendar_settings or {}), box, counts, tenant.id)
        if rotated is not None:
            # A new dict (not an in-place change) so the JSON column is written.
            tenant.calendar_settings = rotated
    session.flush()
    return counts
