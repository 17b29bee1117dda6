"""Secrets out of the access log: some URLs of the admin API are credentials.

A tenant's feed URL (`/feeds/<token>.ics`) and an event's `.ics` link (`/events/<uid>.ics`) are
capabilities, and Google's redirect to the OAuth callback carries the authorization `code` and
the `state`. uvicorn's access logger writes every request target, so a filter on the
"uvicorn.access" logger rewrites the target before any handler formats it:
`/api/v1/feeds/<redacted>.ics`, `?state=<redacted>&code=<redacted>`. Numeric ids stay readable.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "<redacted>"
#: Query parameters whose values are credentials (compared case-insensitively).
SECRET_QUERY_NAMES = frozenset(
    {
        "code",
        "state",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "api_key",
        "key",
        "secret",
        "client_secret",
        "password",
        "hub.verify_token",
    }
)

# Everything after /feeds/ is the token; after /events/ anything but a numeric id is a uid.
_FEED = re.compile(r"(/feeds/)[^?]+?(\.ics)?(?=$|\?)", re.IGNORECASE)
_EVENT = re.compile(r"(/events/)(?!\d+(?:/|$|\?))[^?]+?(\.ics)?(?=$|\?)", re.IGNORECASE)


def _redact_query(query: str) -> str:
    parts = []
    for part in query.split("&"):
        name, sep, _value = part.partition("=")
        if sep and unquote_plus(name).strip().lower() in SECRET_QUERY_NAMES:
            part = f"{name}={REDACTED}"
        parts.append(part)
    return "&".join(parts)


def redact_target(target: str) -> str:
    """The request target (path and query string) with the credentials in it replaced."""
    path, sep, query = target.partition("?")
    for pattern in (_FEED, _EVENT):
        path = pattern.sub(lambda m: f"{m.group(1)}{REDACTED}{m.group(2) or ''}", path)
    return f"{path}{sep}{_redact_query(query)}" if sep else path


class AccessLogRedactor(logging.Filter):
    """Rewrites the request target of uvicorn's access records (never drops a record).

    uvicorn logs `'%s - "%s %s HTTP/%s" %d'` with the arguments (client, method, target,
    http version, status), see uvicorn.protocols.http.*_impl; the target is the third.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_target(args[2]), *args[3:])
        return True


def install_access_log_redaction(logger_name: str = ACCESS_LOGGER) -> None:
    """Put the filter on the access logger (once): a filter on the logger, not on a handler,
    applies to every handler, including ones added later."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, AccessLogRedactor) for existing in logger.filters):
        logger.addFilter(AccessLogRedactor())
