"""`python -m api`: serve the admin API (env API_HOST default 127.0.0.1, API_PORT default 8000)."""

from __future__ import annotations

import os

import uvicorn


def main() -> None:
    """Run uvicorn on the configured host and port."""
    host = os.environ.get("API_HOST", "127.0.0.1")
    port = int(os.environ.get("API_PORT", "8000"))
    # ws="none": Rasa pins an old `websockets` that uvicorn's auto-detection cannot load,
    # and the admin API serves no WebSockets.
    uvicorn.run("api.main:app", host=host, port=port, proxy_headers=True, ws="none")


if __name__ == "__main__":
    main()
