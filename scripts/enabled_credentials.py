"""Write the credentials file the Rasa (and ingest) processes of a launcher start with.

credentials.yml names every channel with no `${VAR}` (so plain `rasa shell` and `rasa run` start
without any variable); each channel reads its settings from its section, else from the
environment (connectors/channel_settings.py). `make run` and production start only the channels
that are configured, so an unconfigured platform's webhook is not served at all:

- a platform channel (connectors.platforms) is on when every one of its settings has a value,
  written in its section or in its variable; otherwise it is left out with the variables to set;
- the REST channel (connectors.rest.RestInput) is always on for `make run` (without a token it
  answers loopback callers only); with `--production` only with its token (`token:` in its
  section or REST_CHANNEL_TOKEN), since an unauthenticated REST channel lets anyone talk to the
  default tenant's assistant and read its answers;
- Rasa's own `rest` (and `callback`, `socketio`) channels are never on: they let the client
  choose the conversation and the metadata the actions see;
- any other channel is on unless its section names a `${VAR}` that is unset (Rasa would refuse
  to start on it).

The enabled sections are written as they are: the secrets stay in the environment, never in
the written file.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python scripts/enabled_credentials.py` without PYTHONPATH

from connectors.channel_settings import REST_VARIABLES, channel_settings  # noqa: E402
from connectors.platforms import PLATFORMS  # noqa: E402

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
REST_CHANNEL = "connectors.rest.RestInput"
#: Rasa's own channels that take the conversation id and metadata from the client.
TRUSTING_CHANNELS = frozenset({"rest", "callback", "socketio"})


def unset_references(block: Any, environ: Mapping[str, str]) -> list[str]:
    """The `${VAR}` a section names whose variable is unset or empty, sorted."""
    named = set(_VAR.findall(yaml.safe_dump(block))) if block else set()
    return sorted(name for name in named if not environ.get(name))


def _expanded(block: Any, environ: Mapping[str, str]) -> dict[str, Any]:
    """A section's settings as Rasa would hand them over (`${VAR}` expanded; an entry naming
    an unset variable dropped)."""
    if not isinstance(block, dict):
        return {}
    return {
        key: _VAR.sub(lambda match: environ[match.group(1)], value)
        if isinstance(value, str)
        else value
        for key, value in block.items()
        if not unset_references(value, environ)
    }


def missing_settings(
    name: str, block: Any, environ: Mapping[str, str], *, production: bool
) -> list[str]:
    """What keeps channel `name` off (variables to set); empty when it is on."""
    unset = unset_references(block, environ)
    settings = _expanded(block, environ)
    if name == REST_CHANNEL:
        if not production:
            return []
        token = channel_settings(settings, REST_VARIABLES, environ)
        return sorted({*unset, *token.missing}) if token.missing else []
    platform = PLATFORMS.get(name)
    if platform is None:
        return unset
    merged = channel_settings(settings, platform.credential_variables, environ)
    return sorted({*unset, *merged.missing})


def enabled_channels(
    credentials: Mapping[str, Any], environ: Mapping[str, str], *, production: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """The channels to start (their sections as written) and the names of those left out, each
    with the reason."""
    enabled: dict[str, Any] = {}
    skipped: list[str] = []
    for name, block in credentials.items():
        if name in TRUSTING_CHANNELS:
            skipped.append(f"{name} (Rasa's own channel trusts the client's sender id and "
                           f"metadata; use {REST_CHANNEL})")  # fmt: skip
            continue
        missing = missing_settings(name, block, environ, production=production)
        if not missing:
            enabled[name] = _without_unset(block, environ) if name == REST_CHANNEL else block
        else:
            skipped.append(f"{name} (unset: {', '.join(missing)})")
    return enabled, skipped


def _without_unset(block: Any, environ: Mapping[str, str]) -> Any:
    """The REST section without entries naming unset variables (it runs without a token)."""
    if not isinstance(block, dict):
        return block
    kept = {key: value for key, value in block.items() if not unset_references(value, environ)}
    return kept or None


def main(argv: list[str] | None = None) -> int:
    """Read credentials.yml, write the filtered copy, report what is on."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(ROOT / "credentials.yml"))
    parser.add_argument("--out", default="var/credentials.enabled.yml")
    parser.add_argument("--production", action="store_true",
                        help="the REST channel only with its token")  # fmt: skip
    args = parser.parse_args(argv)
    credentials = yaml.safe_load(Path(args.source).read_text()) or {}
    enabled, skipped = enabled_channels(credentials, os.environ, production=args.production)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(enabled, sort_keys=False))
    print(f"Channels enabled: {', '.join(enabled) or 'none'}", file=sys.stderr)
    for line in skipped:
        print(f"Channel not configured, left off: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
