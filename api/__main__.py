"""`python -m api`: serve the admin API (env API_HOST default 127.0.0.1, API_PORT default 8000).

The app (`api.main.create_app`) puts `api.core.access_log`'s filter on uvicorn's access logger,
so feed tokens, `.ics` event ids and OAuth codes/states never reach the log.
"""

from __future__ import annotations

import os
from typing import Any

import uvicorn


def server_options(host: str | None = None, port: int | None = None) -> dict[str, Any]:
    """uvicorn's arguments for `python -m api`: the given host/port, else API_HOST/API_PORT
    (tests start the same server with `uvicorn.Config(**server_options(port=0))`)."""
    # ws="none": Rasa pins an old `websockets` that uvicorn's auto-detection cannot load,
    # and the admin API serves no WebSockets.
    return {
        "app": "api.main:app",
        "host": host or os.environ.get("API_HOST", "127.0.0.1"),
        "port": int(os.environ.get("API_PORT", "8000")) if port is None else port,
        "proxy_headers": True,
        "ws": "none",
    }


def main() -> None:
    """Run uvicorn with `server_options()`."""
    uvicorn.run(**server_options())


if __name__ == "__main__":
    main()
