"""Row 4: SGD dialogues (sgd_services/dialogues.jsonl) played by the simulated customer
(`customer.py`) against the real assistant: the trained model and the project's actions in
this process (`assistant.py`), the REST channel's conversation ids and metadata, a fresh
SQLite database with the built-in calendar.

Success: after at most `MAX_TURNS` customer messages, exactly one booking of the customer's is
stored (pending or confirmed), on the goal's day at the goal's time, with a title that names the
service (`sgd.title_names_service`). Every booking is cancelled once judged so that the next
dialogue finds the calendar free. Transcripts of failures go to var/eval/dialogues/.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from scripts.evaluate.customer import Customer
from scripts.evaluate.figures import Figure, Row, skipped
from scripts.evaluate.sgd import Goal, goals, read_jsonl, title_names_service

NAME = "SGD dialogues"
FILE = Path("sgd_services") / "dialogues.jsonl"
MAX_TURNS = 12
#: The guard in `make test` plays every GUARD_STEP-th dialogue (file order, from the first).
GUARD_STEP = 8
TENANT = "default"


@dataclass(frozen=True)
class Booked:
    """A stored booking as the data layer returns it (local wall-clock in the tenant's zone)."""

    title: str
    day: str
    start: str
    status: str


@dataclass
class Played:
    """One played dialogue: what was said and what was booked."""

    goal: Goal
    lines: list[str] = field(default_factory=list)
    booked: list[Booked] = field(default_factory=list)
    customer: Customer | None = None

    @property
    def verdict(self) -> str:
        """ "ok", or why not: "no booking", "2 bookings", "wrong day", "wrong time", "title...",
        "booked after correcting a misreading" (the booking is right, but only because the
        customer corrected a date or time the assistant misread, not its own change of mind)."""
        found = verdict(self.goal, self.booked)
        if found == "ok" and self.customer is not None and self.customer.misread:
            return "booked after correcting a misreading"
        return found


def verdict(goal: Goal, booked: Sequence[Booked]) -> str:
    """Success ("ok") or the first reason against it."""
    if not booked:
        return "no booking"
    if len(booked) > 1:
        return f"{len(booked)} bookings"
    event = booked[0]
    if event.day != goal.date.isoformat():
        return "wrong day"
    if event.start != goal.time:
        return "wrong time"
    if not title_names_service(event.title, goal.service):
        return "title does not name the service"
    return "ok"


def subset(all_goals: Sequence[Goal], step: int) -> list[Goal]:
    """Every `step`-th goal, from the first (step 1: all)."""
    return list(all_goals[::step])


def bookings_of(user: str, zone: str, *, cancel: bool = True) -> list[Booked]:
    """The customer's active bookings read back through the data layer (then cancelled)."""
    from booking_core.db.models import ACTIVE_EVENT_STATUSES
    from booking_core.db.repository import get_tenant_by_slug
    from booking_core.db.repository.contacts import get_contact_by_platform_id
    from booking_core.db.repository.events import cancel_calendar_event, list_calendar_events
    from booking_core.db.session import session_scope

    tz = ZoneInfo(zone)
    with session_scope() as session:
        tenant = get_tenant_by_slug(session, slug=TENANT)
        assert tenant is not None, "the evaluation database has no default tenant"
        contact = get_contact_by_platform_id(
            session, tenant_id=tenant.id, channel="rest", platform_user_id=user
        )
        if contact is None:
            return []
        rows = list_calendar_events(session, tenant_id=tenant.id, contact_id=contact.id)
        found = []
        for row in rows:
            if row.status not in ACTIVE_EVENT_STATUSES:
                continue
            local: datetime = row.start.astimezone(tz)
            found.append(Booked(row.title, local.date().isoformat(), f"{local:%H:%M}", row.status))
            if cancel:
                cancel_calendar_event(session, tenant_id=tenant.id, event_id=row.id)
    return found


def shown(messages: Sequence[dict[str, Any]]) -> str:
    """The assistant's answer as a transcript line: texts, then [button titles]."""
    parts = []
    for message in messages:
        text = str(message.get("text") or "")
        titles = [str(b.get("title")) for b in message.get("buttons") or []]
        parts.append(text + (f" [{' | '.join(titles)}]" if titles else ""))
    return " / ".join(parts) or "(nothing)"


async def play(agent: Any, goal: Goal, zone: str, max_turns: int = MAX_TURNS) -> Played:
    """One dialogue, message by message, as the REST channel hands them to Rasa."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from connectors.rest import rest_sender_id

    user = f"sgd-{goal.dialogue_id}"
    sender = rest_sender_id(TENANT, user)
    customer = Customer(goal)
    played = Played(goal, customer=customer)
    text: str | None = customer.opening()
    for _ in range(max_turns):
        if text is None:
            break
        message = UserMessage(
            text, CollectingOutputChannel(), sender, input_channel="rest",
            metadata={"tenant": TENANT, "channel": "rest", "platform_user_id": user},
        )  # fmt: skip
        answers = await agent.handle_message(message) or []
        played.lines += [f"customer:  {text}", f"assistant: {shown(answers)}"]
        text = customer.reply(answers)
    played.booked = bookings_of(user, zone)
    return played


def transcript(played: Played) -> str:
    """A failure's story for people: the goal, the conversation, the bookings, the verdict."""
    goal = played.goal
    head = [
        f"dialogue {goal.dialogue_id} ({goal.service}): goal {goal.date} {goal.time}",
        f"verdict: {played.verdict}"
        + (
            f" ({', '.join(sorted(played.customer.misread))})"
            if played.customer and played.customer.misread
            else ""
        ),
        *[f"booked: {b.title!r} {b.day} {b.start} ({b.status})" for b in played.booked],
        "",
    ]
    return "\n".join([*head, *played.lines, ""])


def score(results: Sequence[Played], step: int) -> tuple[list[Figure], list[str]]:
    """The row's figures (overall, with misreadings corrected, per service) and notes."""
    label = "booked as asked" if step == 1 else f"booked as asked (every {step}th)"
    ok = [p for p in results if p.verdict == "ok"]
    corrected = [p for p in results if p.verdict == "booked after correcting a misreading"]
    figures = [
        Figure("dialogues.success", label, len(ok), len(results)),
        Figure("dialogues.success_corrected", "booked, counting misreadings the customer "
               "corrected", len(ok) + len(corrected), len(results), detail=True),
    ]  # fmt: skip
    for service in sorted({p.goal.service for p in results}):
        mine = [p for p in results if p.goal.service == service]
        figures.append(
            Figure(f"dialogues.success:{service}", service,
                   sum(p.verdict == "ok" for p in mine), len(mine), detail=True)
        )  # fmt: skip
    reasons = Counter(p.verdict for p in results if p.verdict != "ok")
    plain = sum(1 for p in ok if p.customer and p.customer.plain_phrases)
    changed = sum(1 for p in ok if p.customer and p.customer.corrected)
    notes = [
        "not booked as asked: "
        + (", ".join(f"{r} {n}" for r, n in reasons.most_common()) or "none"),
        f"successes where the customer used a plain phrase of its own: {plain}; where it "
        f"changed its mind at the summary: {changed}",
    ]
    return figures, notes


async def run(data: Path, agent: Any, zone: str, *, step: int = 1, out: Path | None = None) -> Row:
    """Play the dialogues (every `step`-th); failure transcripts go to `out`."""
    path = data / FILE
    if not path.is_file():
        return skipped(NAME, f"{path} not found")
    if agent is None:
        return skipped(NAME, "no trained model (run `make train`)")
    chosen = subset(list(goals(read_jsonl(path))), step)
    results = [await play(agent, goal, zone) for goal in chosen]
    figures, notes = score(results, step)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.glob("*.txt"):
            stale.unlink()
        for played in results:
            if played.verdict != "ok":
                (out / f"{played.goal.dialogue_id}.txt").write_text(transcript(played))
    files = (f"transcripts of the dialogues not booked as asked: {out}",) if out else ()
    return Row(NAME, tuple(figures), notes=tuple(notes), files=files)
