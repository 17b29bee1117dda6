"""Write the credentials file the Rasa (and ingest) processes start with.

Every channel in credentials.yml is enabled only when all the environment variables it
references (``${VAR}``) are set, so an unconfigured platform never stops the server from
starting. The REST channel (connectors.rest.RestInput) is the exception: for `make run` it is
always on, without a token when REST_CHANNEL_TOKEN is unset (the server listens on loopback
only); with `--production` it is on only with its token, since an unauthenticated REST channel
lets anyone talk to the default tenant's assistant and read its answers. Rasa's own `rest`
(and `callback`, `socketio`) channels are never enabled: they let the client choose the
conversation and the metadata the actions see.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
REST_CHANNEL = "connectors.rest.RestInput"
#: Rasa's own channels that take the conversation id and metadata from the client.
TRUSTING_CHANNELS = frozenset({"rest", "callback", "socketio"})


def referenced_variables(block: Any) -> set[str]:
    """Every ${VAR} named anywhere in a channel's settings."""
    return set(_VAR.findall(yaml.safe_dump(block))) if block else set()


def _without_unset(block: Any, environ: dict[str, str]) -> Any:
    """A channel's settings with the entries that name unset variables dropped."""
    if not isinstance(block, dict):
        return block
    return {
        key: value
        for key, value in block.items()
        if all(environ.get(v) for v in referenced_variables(value))
    }


def enabled_channels(
    credentials: dict[str, Any], environ: dict[str, str], *, production: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """The channels to start and the names of those left out (with the reason)."""
    enabled: dict[str, Any] = {}
    skipped: list[str] = []
    for name, block in credentials.items():
        missing = sorted(v for v in referenced_variables(block) if not environ.get(v))
        if name in TRUSTING_CHANNELS:
            skipped.append(f"{name} (Rasa's own channel trusts the client's sender id and "
                           f"metadata; use {REST_CHANNEL})")  # fmt: skip
        elif not missing:
            enabled[name] = block
        elif name == REST_CHANNEL and not production:
            enabled[name] = _without_unset(block, environ) or None
        else:
            skipped.append(f"{name} (unset: {', '.join(missing)})")
    return enabled, skipped


def main(argv: list[str] | None = None) -> int:
    """Read credentials.yml, write the filtered copy, report what is on."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", default="credentials.yml")
    parser.add_argument("--out", default="var/credentials.enabled.yml")
    parser.add_argument("--production", action="store_true",
                        help="the REST channel only with REST_CHANNEL_TOKEN")  # fmt: skip
    args = parser.parse_args(argv)
    credentials = yaml.safe_load(Path(args.source).read_text()) or {}
    enabled, skipped = enabled_channels(credentials, dict(os.environ), production=args.production)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(enabled, sort_keys=False))
    print(f"Channels enabled: {', '.join(enabled) or 'none'}", file=sys.stderr)
    for line in skipped:
        print(f"Channel not configured, left off: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
