"""What every row of the evaluation produces: counted figures (ok out of n), kept as counts so
the table, the thresholds and the tests read the same numbers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One measured share: `ok` of `n` cases. `key` names it for targets and thresholds;
    `detail` figures (per intent, per category) are printed indented under their headline."""

    key: str
    label: str
    ok: int
    n: int
    detail: bool = False

    @property
    def rate(self) -> float | None:
        """ok / n, or None when nothing was measured."""
        return self.ok / self.n if self.n else None


@dataclass(frozen=True)
class Row:
    """One row of the table: its figures, notes, and why it was skipped if it was."""

    name: str
    figures: tuple[Figure, ...] = ()
    skipped: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Files this run wrote for people to read (failures), printed but not documented.
    files: tuple[str, ...] = field(default_factory=tuple)


def skipped(name: str, reason: str) -> Row:
    """A row that could not be measured (its data or the model is absent)."""
    return Row(name=name, skipped=reason)
