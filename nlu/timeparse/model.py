"""Intermediate meanings built by the grammar before they are pinned to the calendar."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime


@dataclass(frozen=True)
class Tod:
    """A time of day; ``ambiguous`` means an hour 1-12 said without am/pm."""

    hour: int
    minute: int = 0
    second: int = 0
    grain: str = "hour"
    ambiguous: bool = False
    latent: bool = False  # a bare number: only a time when something else says so
    tz: int | None = None  # explicit zone offset in minutes ("9am BST")
    fixed_day_offset: int = 0  # 1 for "midnight" said as the end of today
    marker: bool = False  # "3 30", "1030", "three twenty": a time only with "at", am/pm, "ish"

    def with_meridiem(self, meridiem: str) -> Tod:
        """Apply am/pm to an hour said on a 12-hour clock."""
        h = self.hour
        if h > 12 or (h == 0 and meridiem == "pm"):
            return replace(self, ambiguous=False)
        if meridiem == "am":
            return replace(self, hour=0 if h == 12 else h, ambiguous=False)
        return replace(self, hour=h if h == 12 else h + 12, ambiguous=False)


@dataclass(frozen=True)
class DateSpec:
    """A calendar day, either fixed or a set of constraints searched from the reference."""

    fixed: date | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    not_today: bool = False  # a bare weekday never means today (Duckling)
    grain: str = "day"  # day, week, month or year
    latent: bool = False
    is_today: bool = False  # "today"/"this": only fixes the day, never moves a time forward


@dataclass(frozen=True)
class Pod:
    """A part of the day ("morning", "tonight"), optionally tied to a day."""

    name: str
    start: int
    end: int
    meridiem: str
    day: DateSpec | None = None
    latent: bool = False
    needs_day: bool = False  # "early"/"late" only after a day ("friday late")
    bare: bool = False  # the word alone ("morning"): a time only as a whole answer


@dataclass(frozen=True)
class Inst:
    """An instant already fixed by arithmetic on the reference ("in 2 hours")."""

    dt: datetime
    grain: str
    date_like: bool = False  # shifted by days or more, so it can carry a time of day


@dataclass(frozen=True)
class Range:
    """Two times of day forming an interval ("3-4pm", "from 9:30 to 11")."""

    start: Tod
    end: Tod
    latent: bool = False


@dataclass(frozen=True)
class Open:
    """A time of day bounding an open interval: "after 4pm" (``after``), "before noon"."""

    after: bool
    tod: Tod


@dataclass(frozen=True)
class Span:
    """A fully resolved interval: ``end`` is exclusive; either side is ``None`` when open.

    ``pod`` names the part of the day it is ("afternoon"), ``period`` the week it covers.
    """

    start: datetime | None
    end: datetime | None
    grain: str
    meridiem_assumed: bool = False
    pod: str | None = None
    period: str | None = None


@dataclass(frozen=True)
class Value:
    """A fully resolved instant at a grain."""

    dt: datetime
    grain: str
    meridiem_assumed: bool = False


@dataclass
class Phrase:
    """The pieces of one time expression collected by the grammar."""

    date: DateSpec | None = None
    tod: Tod | None = None
    rng: Range | None = None
    pod: Pod | None = None
    inst: Inst | None = None
    opn: Open | None = None
    tz: int | None = None
    resolved: Value | Span | None = None
    parts: int = 0  # pieces joined; fewer wins between readings of equal length
