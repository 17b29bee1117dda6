"""Rasa graph component extracting ``time`` and ``duration`` entities.

Shaped like Rasa's DucklingEntityExtractor, but parses in-process with ``nlu.timeparse``
(or with Duckling when a URL is configured, falling back to the embedded parser), in the
tenant's zone and locale, which connectors pass as message metadata ``timezone``/``locale``.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timezone
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu import fast_loading
from nlu.duckling import DucklingClient
from nlu.timeparse import POLICIES, extract, warm_up
from nlu.timeparse.extract import DEFAULT_DEADLINE_MS
from nlu.timeparse.zones import get_zone

logger = logging.getLogger(__name__)

# Every Rasa process loading this project's model imports this module before it loads any
# component (nlu/fast_loading.py): DIET and TED load in seconds instead of half a minute.
fast_loading.install()

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_LOCALE = "en_GB"


def reference_time(message: Message) -> datetime:
    """The message's own time (epoch seconds, as Rasa's Duckling extractor reads it) or now."""
    raw = getattr(message, "time", None)
    if raw is not None:
        try:
            return datetime.fromtimestamp(float(raw), tz=timezone.utc)
        except (TypeError, ValueError, OverflowError, OSError):
            try:
                parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
            except ValueError:
                logger.warning("unreadable message time %r; using now", raw)
    return datetime.now(timezone.utc)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class TimeEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts dates, times and durations with the tenant's zone and the message's time."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            "dimensions": ["time", "duration"],
            "timezone": None,  # None -> env DEFAULT_TIMEZONE or Europe/London
            "locale": None,  # None -> env DEFAULT_LOCALE or en_GB
            "bare_hour_policy": "business_hours",  # "at 5" -> 17:00; "next" = Duckling
            "url": None,  # None -> env DUCKLING_URL; when set, Duckling is asked first
            "timeout": 3,
            "deadline_ms": DEFAULT_DEADLINE_MS,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Resolve environment defaults once; the zone is validated early to fail fast."""
        self.component_config = {**self.get_default_config(), **config}
        cfg = self.component_config
        self.dimensions: tuple[str, ...] = tuple(cfg.get("dimensions") or ("time", "duration"))
        self.timezone: str = cfg.get("timezone") or os.environ.get(
            "DEFAULT_TIMEZONE", DEFAULT_TIMEZONE
        )
        self.locale: str = cfg.get("locale") or os.environ.get("DEFAULT_LOCALE", DEFAULT_LOCALE)
        self.policy: str = cfg.get("bare_hour_policy") or "business_hours"
        if self.policy not in POLICIES:
            raise ValueError(f"bare_hour_policy must be one of {POLICIES}")
        self.deadline_ms = float(cfg.get("deadline_ms") or DEFAULT_DEADLINE_MS)
        get_zone(self.timezone)
        url = cfg.get("url") or os.environ.get("DUCKLING_URL")
        self.duckling = DucklingClient(url, float(cfg.get("timeout") or 3)) if url else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TimeEntityExtractor:
        """Creates the component and warms the parser so the first user pays nothing."""
        component = cls(config)
        t0 = time.perf_counter()
        warm_up()
        logger.debug("time parser warmed in %.1f ms", (time.perf_counter() - t0) * 1000)
        return component

    def _zone_and_locale(self, message: Message) -> tuple[str, str]:
        """Per-message overrides from connector metadata, ignoring invalid zones."""
        meta = message.get(METADATA) or {}
        tz, locale = self.timezone, self.locale
        if isinstance(meta, dict):
            cand = meta.get("timezone")
            if isinstance(cand, str) and cand:
                try:
                    get_zone(cand)
                    tz = cand
                except ValueError:
                    logger.warning("ignoring unknown time zone %r in metadata", cand)
            if isinstance(meta.get("locale"), str) and meta["locale"]:
                locale = meta["locale"]
        return tz, locale

    def extract_entities(self, message: Message) -> list[dict[str, Any]]:
        """Entities of one message (without the extractor-name bookkeeping)."""
        text = message.get(TEXT)
        if not text:
            return []
        tz, locale = self._zone_and_locale(message)
        ref = reference_time(message)
        if self.duckling is not None:
            return self.duckling.parse(text, ref, tz, locale, self.dimensions,
                                       bare_hour_policy=self.policy,
                                       deadline_ms=self.deadline_ms)  # fmt: skip
        return extract(text, ref, tz, locale, self.dimensions, bare_hour_policy=self.policy,
                       deadline_ms=self.deadline_ms)  # fmt: skip

    def process(self, messages: list[Message]) -> list[Message]:
        """Augments each message with the extracted entities."""
        for message in messages:
            extracted = self.add_extractor_name(self.extract_entities(message))
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
