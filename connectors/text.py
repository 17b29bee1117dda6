"""Pure text helpers: chunking at a platform's length limit, title truncation, button refs."""

from __future__ import annotations

import re
from collections.abc import Callable

Measure = Callable[[str], int]
_SEPARATORS = ("\n\n", "\n", " ")
#: A button whose payload does not fit the platform's id field is sent as "#<index>" and
#: resolved from the stored outbound message; payloads from the bot always start with "/".
_REF = re.compile(r"^#(\d{1,3})$")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts its limits in."""
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int, measure: Measure) -> int:
    """Largest n with measure(text[:n]) <= limit (at least 1, so progress is guaranteed)."""
    if measure is len:
        return max(1, min(len(text), limit))
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return max(1, lo)


def chunk_text(text: str, limit: int, measure: Measure = len) -> list[str]:
    """Split `text` into non-empty pieces of at most `limit`, preferring paragraph, line and
    word boundaries, so long replies are delivered whole instead of rejected by the platform."""
    if limit < 1:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        if measure(rest) <= limit:
            chunks.append(rest)
            break
        n = _fit(rest, limit, measure)
        cut: tuple[int, int] | None = None
        for sep in _SEPARATORS:
            index = rest.rfind(sep, 1, n + len(sep))
            if index > 0 and rest[:index].strip():
                cut = (index, index + len(sep))
                break
        if cut is None:
            cut = (n, n)
        head = rest[: cut[0]].rstrip()
        chunks.append(head)
        rest = rest[cut[1] :].strip()
    return chunks


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, for button titles."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def button_reference(payload: str, index: int, max_bytes: int) -> str:
    """The id to send for a button: its payload when it fits `max_bytes`, else `#<index>`."""
    if payload and len(payload.encode("utf-8")) <= max_bytes and not _REF.match(payload):
        return payload
    return f"#{index}"


def parse_button_reference(value: str) -> int | None:
    """The button index of a `#<index>` reference, or None for a plain payload."""
    match = _REF.match(value.strip())
    return int(match.group(1)) if match else None


def button_payload(button: dict[str, object]) -> str:
    """What Rasa should receive when the user presses `button`: its payload, else its title."""
    payload = button.get("payload")
    if isinstance(payload, str) and payload.strip():
        return payload
    title = button.get("title")
    return str(title) if title is not None else ""
