"""A channel's settings: what credentials.yml says, else the environment. Pure, Rasa-free.

credentials.yml keeps Rasa's convention (it names every channel Rasa starts) but holds no
`${VAR}` references: Rasa expands those when it reads the file and stops at start-up on an
unset one, even in `rasa shell`, which uses none of the channels. Each channel class reads its
settings itself instead: a value written in its credentials.yml section wins, else the
environment variable documented for it (`Platform.credential_variables`, `REST_VARIABLES`
below); an empty value counts as unset. A platform whose settings are incomplete leaves the
default tenant's account off (`missing` names the variables to set) and never raises.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The REST channel's (connectors.rest.RestInput) token setting and its variable; its `tenant`
#: has none (the default tenant, DEFAULT_TENANT_SLUG, when the section names none).
REST_TOKEN_VARIABLE = "REST_CHANNEL_TOKEN"
REST_VARIABLES = {"token": REST_TOKEN_VARIABLE}


@dataclass(frozen=True)
class ChannelSettings:
    """The merged settings of one channel and the variables still to set for it."""

    values: dict[str, str]
    #: The environment variables of the settings that have no value, in declaration order.
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Whether every documented setting has a value."""
        return not self.missing


def _text(value: Any) -> str | None:
    """A setting as text; None for absent or empty (YAML's `key:` is None)."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def channel_settings(
    credentials: Mapping[str, Any] | None,
    variables: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
) -> ChannelSettings:
    """Merge a credentials.yml section with the environment (the section's values win).

    `variables` maps each documented setting to its environment variable. Settings the section
    writes that have no variable (e.g. REST's `tenant`) are kept as written.
    """
    env = os.environ if environ is None else environ
    section = credentials or {}
    values: dict[str, str] = {}
    for key, value in section.items():
        text = _text(value)
        if text is not None:
            values[str(key)] = text
    missing: list[str] = []
    for key, variable in variables.items():
        if key in values:
            continue
        from_env = _text(env.get(variable))
        if from_env is None:
            missing.append(variable)
        else:
            values[key] = from_env
    return ChannelSettings(values, tuple(missing))


def left_off_line(channel: str, missing: tuple[str, ...], webhook: str) -> str:
    """The one log line of a platform whose default-tenant account is left off."""
    return (
        f"{channel}: the default tenant's account is left off, not set: {', '.join(missing)} "
        f"(accounts stored in the database are still served at {webhook})"
    )
