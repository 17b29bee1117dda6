"""Size limits every door of the Rasa and ingest processes applies before any work is done.

A 100 KB text held Rasa's event loop for 17 s in NLU (20 KB: 1 s), and Sanic buffers a body up
to its 100 MB default before a handler can refuse it. So request bodies are capped by the server
(`REQUEST_MAX_SIZE`, checked while reading) and message text is capped before it reaches NLU,
with a polite answer instead.
"""

from __future__ import annotations

from typing import Any

#: Meta sends at most 3 MB per webhook; nothing legitimate is bigger (Telegram's and the REST
#: channel's bodies are far smaller).
MAX_BODY_BYTES = 3 * 1024 * 1024
#: WhatsApp and Telegram accept 4,096 characters per text message; a longer text is not a chat
#: message a person typed, and NLU time grows faster than linearly with length.
MAX_TEXT_CHARS = 4096
TOO_LONG_REPLY = (
    "That message is too long for me to read. Please send it in shorter parts "
    f"(up to {MAX_TEXT_CHARS:,} characters)."
)


def too_long(text: str | None) -> bool:
    """Whether `text` must not reach NLU."""
    return text is not None and len(text) > MAX_TEXT_CHARS


def cap_request_size(app: Any, limit: int = MAX_BODY_BYTES) -> None:
    """Lower the server's body limit to `limit` (Sanic answers 413 while reading the body).

    Called before the server starts: Sanic reads REQUEST_MAX_SIZE when a connection opens.
    A smaller limit already configured (SANIC_REQUEST_MAX_SIZE) is kept.
    """
    current = int(getattr(app.config, "REQUEST_MAX_SIZE", limit) or limit)
    app.config.REQUEST_MAX_SIZE = min(current, limit)
