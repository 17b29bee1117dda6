"""Duckling over HTTP, answering in the same entity shape as the embedded extractor.

Duckling is optional: on timeout, connection error or a 5xx answer the client logs once
and falls back to ``nlu.timeparse.extract`` so a hung Duckling never blocks a conversation.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import requests

from nlu.timeparse import extract
from nlu.timeparse.calendar import add_months
from nlu.timeparse.extract import DEFAULT_DEADLINE_MS
from nlu.timeparse.output import EXTRACTOR
from nlu.timeparse.zones import get_zone

logger = logging.getLogger(__name__)

_FIXED_GRAINS = {"second": timedelta(seconds=1), "minute": timedelta(minutes=1),
                 "hour": timedelta(hours=1), "day": timedelta(days=1),
                 "week": timedelta(weeks=1)}  # fmt: skip
_MONTH_GRAINS = {"month": 1, "quarter": 3, "year": 12}


def minus_grain(iso: str, grain: str) -> str:
    """``iso`` minus one grain, keeping its offset: Duckling's exclusive "to" -> said end."""
    dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if grain in _FIXED_GRAINS:
        out = dt - _FIXED_GRAINS[grain]
    else:
        out = add_months(dt, -_MONTH_GRAINS.get(grain, 1))
    return out.isoformat(timespec="milliseconds")


def duckling_tz(tz: str) -> str | None:
    """A zone name Duckling understands: IANA names as they are, whole-hour offsets as
    Etc/GMT-N (POSIX sign).  None when Duckling cannot express it."""
    if "/" in tz or tz.upper() in ("UTC", "GMT", "Z"):
        return "UTC" if tz.upper() in ("Z", "GMT") else tz
    zone = get_zone(tz)
    offset = zone.utcoffset(None)
    if offset is None or offset.total_seconds() % 3600:
        return None
    hours = int(offset.total_seconds() // 3600)
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def convert(matches: list[dict[str, Any]], text: str, dims: tuple[str, ...]
            ) -> list[dict[str, Any]]:  # fmt: skip
    """Duckling's /parse answer -> contract entity dicts (unknown shapes are skipped)."""
    out: list[dict[str, Any]] = []
    for m in matches:
        dim = m.get("dim")
        val = m.get("value") or {}
        if dim not in dims or not isinstance(val, dict):
            continue
        start, end = int(m["start"]), int(m["end"])
        base = {"entity": dim, "start": start, "end": end, "text": text[start:end],
                "confidence": 1.0, "extractor": EXTRACTOR}  # fmt: skip
        if dim == "duration":
            norm = val.get("normalized") or {}
            seconds = int(norm.get("value", 0))
            base["value"] = seconds
            base["additional_info"] = {
                "value": val.get("value"),
                "unit": val.get("unit"),
                "normalized": {"value": seconds, "unit": "second"},
            }
        elif dim == "time":
            if val.get("type") == "interval":
                lo, hi = val.get("from") or {}, val.get("to") or {}
                grain = lo.get("grain") or hi.get("grain") or "second"
                to = hi.get("value")
                info = {"type": "interval", "grain": grain, "from": lo.get("value"), "to": to,
                        "end": minus_grain(to, grain) if to else None,
                        "meridiem_assumed": False}  # fmt: skip
                base["value"] = lo.get("value") or to
            else:
                info = {"type": "value", "grain": val.get("grain"), "value": val.get("value"),
                        "meridiem_assumed": False}  # fmt: skip
                base["value"] = val.get("value")
            base["additional_info"] = info
        else:
            continue
        out.append(base)
    out.sort(key=lambda e: (e["start"], -e["end"]))
    return out


class DucklingClient:
    """POSTs to Duckling's /parse; falls back to the embedded extractor when it fails."""

    def __init__(self, url: str, timeout: float = 3.0, retry_after: float = 30.0) -> None:
        self.url = url.rstrip("/") + "/parse"
        self.timeout = timeout
        # After a timeout, connection error or 5xx, Duckling is skipped for `retry_after`
        # seconds: a hung server then costs one timeout, not one per message.
        self.retry_after = retry_after
        self._skip_until = 0.0
        self._warned = False
        self._lock = threading.Lock()
        self._session = requests.Session()

    def _warn_once(self, reason: str) -> None:
        with self._lock:
            first, self._warned = not self._warned, True
        if first:
            logger.warning("Duckling at %s unusable (%s); using the embedded extractor",
                           self.url, reason)  # fmt: skip
        else:
            logger.debug("Duckling fallback: %s", reason)

    def parse(self, text: str, reftime: datetime, tz: str, locale: str = "en_GB",
              dims: tuple[str, ...] = ("time", "duration"), *,
              bare_hour_policy: str = "next", deadline_ms: float = DEFAULT_DEADLINE_MS,
              ) -> list[dict[str, Any]]:  # fmt: skip
        """Entities of ``text``; same arguments and result as ``nlu.timeparse.extract``."""

        def fallback(reason: str, *, outage: bool = False) -> list[dict[str, Any]]:
            if outage:
                self._skip_until = time.monotonic() + self.retry_after
            self._warn_once(reason)
            return extract(text, reftime, tz, locale, dims, bare_hour_policy=bare_hour_policy,
                           deadline_ms=deadline_ms)  # fmt: skip

        if time.monotonic() < self._skip_until:
            return fallback("skipped after a recent failure")

        zone_name = duckling_tz(tz)
        if zone_name is None:
            return fallback(f"zone {tz} not expressible for Duckling")
        ref = reftime if reftime.tzinfo else reftime.replace(tzinfo=get_zone(tz))
        payload = {
            "text": text,
            "locale": locale,
            "dims": json.dumps(list(dims)),
            "tz": zone_name,
            "reftime": str(int(ref.astimezone(timezone.utc).timestamp() * 1000)),
        }
        try:
            resp = self._session.post(self.url, data=payload, timeout=self.timeout)
        except requests.exceptions.RequestException as exc:
            return fallback(type(exc).__name__, outage=True)
        if resp.status_code >= 500:
            return fallback(f"HTTP {resp.status_code}", outage=True)
        if resp.status_code != 200:
            logger.error("Duckling refused the request: HTTP %s %s", resp.status_code,
                         resp.text[:200])  # fmt: skip
            return fallback(f"HTTP {resp.status_code}")
        try:
            matches = resp.json()
        except ValueError:
            return fallback("invalid JSON")
        if not isinstance(matches, list):
            return fallback("unexpected answer")
        entities = convert(matches, text, dims)
        _mark_meridiem(entities, reftime, tz, locale)
        return entities


def _mark_meridiem(entities: list[dict[str, Any]], reftime: datetime, tz: str,
                   locale: str) -> None:  # fmt: skip
    """Duckling does not say whether am/pm was given; read each span with our grammar."""
    for ent in entities:
        if ent["entity"] != "time":
            continue
        ours = extract(ent["text"], reftime, tz, locale, ("time",))
        if ours:
            ent["additional_info"]["meridiem_assumed"] = bool(
                ours[0]["additional_info"].get("meridiem_assumed")
            )
