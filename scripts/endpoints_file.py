"""Write the endpoints file a launcher starts Rasa with: endpoints.yml with the action server's
URL and, when ACTION_SERVER_TOKEN is set, the header that carries it.

endpoints.yml itself sends no header, so that plain `rasa shell` and `rasa run` read it with no
variable set (the action server then answers loopback callers only). The launchers that run
with the token (scripts/run.sh, scripts/prod_process.sh, the tests and benchmarks) call this:

    python scripts/endpoints_file.py --actions-url http://127.0.0.1:5056/webhook --out var/e.yml

The header is written as `Bearer ${ACTION_SERVER_TOKEN}`: Rasa expands it from its environment
when it reads the file, so the token never lands on disk.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TOKEN_ENV = "ACTION_SERVER_TOKEN"
TOKEN_HEADER = {"Authorization": f"Bearer ${{{TOKEN_ENV}}}"}


def endpoints_text(source: str, actions_url: str | None = None, *, token: bool = True) -> str:
    """`source` (endpoints.yml's text) with the action server at `actions_url` (None: as it is)
    and, with `token`, the Authorization header naming ACTION_SERVER_TOKEN."""
    endpoints: dict[str, Any] = yaml.safe_load(source) or {}
    action = dict(endpoints.get("action_endpoint") or {})
    if actions_url is not None:
        action["url"] = actions_url
    if token:
        action["headers"] = {**(action.get("headers") or {}), **TOKEN_HEADER}
    endpoints["action_endpoint"] = action
    header = "# Written by scripts/endpoints_file.py from endpoints.yml; do not edit.\n"
    return header + yaml.safe_dump(endpoints, sort_keys=False)


def token_is_set(environ: Mapping[str, str]) -> bool:
    """Whether the action server's token is in the environment (blank counts as unset)."""
    return bool(environ.get(TOKEN_ENV, "").strip())


def main(argv: list[str] | None = None) -> int:
    """Read endpoints.yml, write the launcher's copy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(ROOT / "endpoints.yml"))
    parser.add_argument("--actions-url", help="the action server's webhook URL")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    text = endpoints_text(Path(args.source).read_text(), args.actions_url,
                          token=token_is_set(os.environ))  # fmt: skip
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
