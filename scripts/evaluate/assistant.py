"""The real assistant in this process: the trained Rasa model, the project's actions, a frozen
clock and a fresh database.

Rasa 3.6 calls custom actions only over HTTP. `InProcessActions` is an action endpoint whose
`request()` hands the same JSON body to rasa-sdk's `ActionExecutor` (the `actions` package, as
`rasa run actions` registers it) and gives back the JSON the action server would answer, so no
action server is started and one frozen clock applies to the NLU and the actions alike.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "booking.tar.gz"
#: The tenant's zone in the evaluation; SGD's wall-clock times are read in it.
ZONE = "Europe/London"
#: The business of the evaluation is open every day 08:00-20:00: SGD's providers took
#: bookings from 09:00 to 18:45 on every day of the week, and the figure is about
#: understanding the customer, not about the default Monday-Friday office hours.
EVAL_HOURS = {day: ["08:00", "20:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def reference(day: str = "2019-03-01", at: str = "09:00") -> datetime:
    """A wall-clock moment in the tenant's zone (SGD's "today", a Friday morning)."""
    return datetime.fromisoformat(f"{day}T{at}").replace(tzinfo=ZoneInfo(ZONE))


def prepare() -> None:
    """The evaluation's environment: the tenant's zone (read by the NLU when the model loads
    and by the actions), the embedded time parser (no DUCKLING_URL), no telemetry, and Rasa's
    and TensorFlow's chatter off."""
    os.environ["DEFAULT_TIMEZONE"] = ZONE
    os.environ.pop("DUCKLING_URL", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    warnings.filterwarnings("ignore")
    for name in ("rasa", "tensorflow", "absl", "rasa_sdk", "actions", "booking_core", "nlu"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)  # Rasa's own CLI does this; Agent.load does not


#: The time parser's deadline during the evaluation (the assistant's is 50 ms): long SGD
#: turns on a busy machine could hit 50 ms, and the figures must not depend on the load.
EVAL_DEADLINE_MS = 2000.0


@contextmanager
def frozen_clock(now: datetime) -> Iterator[None]:
    """Every clock the assistant reads, at `now`: the NLU's reference time of a message, the
    actions' clock (`actions.context.utc_now`) and the booking services' (`utcnow` of
    booking_core.availability, .lookup and .changes); the time parser's deadline at
    EVAL_DEADLINE_MS. Restored afterwards."""
    import actions.context
    import booking_core.availability
    import booking_core.changes
    import booking_core.lookup
    import nlu.time_extractor

    instant = now.astimezone(timezone.utc)
    extract = nlu.time_extractor.extract

    def patient(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        kwargs["deadline_ms"] = max(float(kwargs.get("deadline_ms") or 0), EVAL_DEADLINE_MS)
        return extract(*args, **kwargs)

    clock = lambda *args: instant  # noqa: E731 - one stand-in for every clock
    frozen: list[tuple[Any, str, Any]] = [
        (nlu.time_extractor, "reference_time", clock),
        (nlu.time_extractor, "extract", patient),
        (actions.context, "utc_now", clock),
        *(
            (service, "utcnow", clock)
            for service in (booking_core.availability, booking_core.lookup, booking_core.changes)
        ),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _ in frozen]
    for module, name, value in frozen:
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def in_process_actions() -> Any:
    """An action endpoint running the project's actions in this process (see module doc)."""
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.utils.endpoints import EndpointConfig
    from rasa_sdk.executor import ActionExecutor
    from rasa_sdk.interfaces import ActionExecutionRejection as SdkRejection

    executor = ActionExecutor()
    executor.register_package("actions")

    class InProcessActions(EndpointConfig):
        """`request()` runs the action instead of posting it."""

        async def request(
            self,
            method: str = "post",
            subpath: str | None = None,
            content_type: str | None = "application/json",
            compress: bool = False,
            **kwargs: Any,
        ) -> Any:
            body = json.loads(json.dumps(kwargs["json"]))  # what the wire would carry
            try:
                result = await executor.run(body)
            except SdkRejection as exc:  # the action server's 400, as Rasa reads it
                raise ActionExecutionRejection(exc.action_name, exc.message) from exc
            return json.loads(json.dumps(result))

    return InProcessActions(url="in-process://actions")


def require_model(model: Path = MODEL) -> Path:
    """The model file, or FileNotFoundError saying how to make one."""
    if not model.is_file():
        raise FileNotFoundError(f"{model} is missing: run `make train` first")
    return model


def load_agent(model: Path = MODEL, *, actions: bool = True) -> Any:
    """The trained model as an Agent (in-memory trackers), with the in-process actions."""
    prepare()
    from rasa.core.agent import Agent

    import nlu.time_extractor  # noqa: F401 - the fast loading, as in a Rasa process

    return Agent.load(
        str(require_model(model)), action_endpoint=in_process_actions() if actions else None
    )


def fresh_database(work: Path) -> str:
    """A migrated SQLite database in `work` (the default tenant, open EVAL_HOURS), made the
    process's DATABASE_URL; returns its URL."""
    from booking_core.db.migrate import upgrade
    from booking_core.db.repository import ensure_default_tenant
    from booking_core.db.repository.tenant_admin import update_tenant
    from booking_core.db.session import session_scope
    from booking_core.settings import get_settings

    work.mkdir(parents=True, exist_ok=True)
    path = work / "booking.db"
    for stale in work.glob("booking.db*"):
        stale.unlink()
    url = f"sqlite:///{path}"
    prepare()
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    upgrade(url)
    with session_scope(url) as session:
        tenant = ensure_default_tenant(session)
        update_tenant(session, tenant_id=tenant.id, timezone=ZONE, business_hours=EVAL_HOURS)
    return url
