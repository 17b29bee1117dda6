"""Write the credentials file `make run` starts Rasa with.

The REST channel is always on; every other channel in credentials.yml is enabled only when
all the environment variables it references (``${VAR}``) are set, so an unconfigured
platform never stops the server from starting.
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


def referenced_variables(block: Any) -> set[str]:
    """Every ${VAR} named anywhere in a channel's settings."""
    return set(_VAR.findall(yaml.safe_dump(block))) if block else set()


def enabled_channels(
    credentials: dict[str, Any], environ: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """The channels to start and the names of those left out (with the missing variables)."""
    enabled: dict[str, Any] = {}
    skipped: list[str] = []
    for name, block in credentials.items():
        missing = sorted(v for v in referenced_variables(block) if not environ.get(v))
        if name == "rest" or not missing:
            enabled[name] = block
        else:
            skipped.append(f"{name} (unset: {', '.join(missing)})")
    enabled.setdefault("rest", None)
    return enabled, skipped


def main(argv: list[str] | None = None) -> int:
    """Read credentials.yml, write the filtered copy, report what is on."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", default="credentials.yml")
    parser.add_argument("--out", default="var/credentials.enabled.yml")
    args = parser.parse_args(argv)
    credentials = yaml.safe_load(Path(args.source).read_text()) or {}
    enabled, skipped = enabled_channels(credentials, dict(os.environ))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(enabled, sort_keys=False))
    print(f"Channels enabled: {', '.join(enabled)}", file=sys.stderr)
    for line in skipped:
        print(f"Channel not configured, left off: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
