"""The advisory data of `make audit` (scripts/audit.py), pure: the lock's pins, the offline
advisory list (docs/advisories.csv), the classifications docs/SECURITY.md records, and which
advisories affect which pin."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

CLASSES = ("not reachable", "mitigated", "accepted", "reachable")
PASSING = {"not reachable", "mitigated", "accepted"}
ID_PATTERN = re.compile(r"^(GHSA(-[0-9a-z]{4}){3}|CVE-\d{4}-\d+|PYSEC-\d{4}-\d+)$")
COLUMNS = ("package", "id", "aliases", "affected", "fixed", "summary", "source")


class AuditError(Exception):
    """An input file that cannot be used (exit status 2)."""


@dataclass(frozen=True)
class Advisory:
    package: str  # canonical name
    id: str
    aliases: tuple[str, ...] = ()
    affected: tuple[SpecifierSet, ...] = ()  # any of them; empty: the source said the pin is
    fixed: str = ""
    summary: str = ""
    source: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    def affects(self, version: str) -> bool:
        if not self.affected:
            return True
        try:
            parsed = Version(version)
        except InvalidVersion:
            return False
        return any(spec.contains(parsed, prereleases=True) for spec in self.affected)

    @property
    def affected_text(self) -> str:
        return " or ".join(str(spec) for spec in self.affected) or "the pinned version"


@dataclass(frozen=True)
class Classification:
    status: str  # one of CLASSES
    note: str


@dataclass
class AdvisoryList:
    advisories: list[Advisory]
    compiled: str = ""
    sources: str = ""


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: Advisory
    classification: Classification | None

    @property
    def status(self) -> str:
        return self.classification.status if self.classification else "unclassified"

    @property
    def fails(self) -> bool:
        return self.status not in PASSING


@dataclass
class Report:
    source: str  # the line saying where the advisories came from
    findings: list[Finding] = field(default_factory=list)

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.fails]


def parse_lock(text: str) -> dict[str, str]:
    """requirements.lock's `name==version` lines, by canonical name."""
    pins: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        if "==" not in line:
            raise AuditError(f"not an exact pin: {raw.strip()!r}")
        name, version = line.split("==", 1)
        name = name.split("[", 1)[0].strip()
        pins[canonicalize_name(name)] = version.strip()
    return pins


def parse_ranges(text: str) -> tuple[SpecifierSet, ...]:
    """`<3.10.11` or `>=2.0,<2.11.1 || >=2.12,<2.12.1` (any of them)."""
    try:
        return tuple(SpecifierSet(part.strip()) for part in text.split("||") if part.strip())
    except InvalidSpecifier as exc:
        raise AuditError(f"bad affected range {text!r}: {exc}") from exc


def _split_ids(text: str) -> tuple[str, ...]:
    return tuple(part for part in re.split(r"[\s,;]+", text.strip()) if part)


def parse_advisories(text: str) -> AdvisoryList:
    """The offline list: `# key: value` header lines, then CSV with COLUMNS."""
    meta: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if value:
                meta[key.strip().lower()] = value.strip()
        elif line.strip():
            body.append(line)
    reader = csv.DictReader(io.StringIO("\n".join(body)))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise AuditError(f"advisory list columns must be {','.join(COLUMNS)}")
    advisories = []
    for row in reader:
        advisory_id = (row["id"] or "").strip()
        if not ID_PATTERN.match(advisory_id):
            raise AuditError(f"not a GHSA-, CVE- or PYSEC- id: {advisory_id!r}")
        advisories.append(
            Advisory(
                package=canonicalize_name(row["package"].strip()),
                id=advisory_id,
                aliases=_split_ids(row["aliases"] or ""),
                affected=parse_ranges(row["affected"] or ""),
                fixed=(row["fixed"] or "").strip(),
                summary=(row["summary"] or "").strip(),
                source=(row["source"] or "").strip(),
            )
        )
    return AdvisoryList(advisories, meta.get("compiled", ""), meta.get("sources", ""))


def parse_classifications(markdown: str) -> dict[str, Classification]:
    """Table rows of docs/SECURITY.md whose first cell holds advisory ids:
    `| GHSA-..., CVE-... | package | not reachable | why, or the mitigation |`."""
    found: dict[str, Classification] = {}
    for line in markdown.splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = [cell.strip().strip("`").strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3:
            continue
        ids = [part.strip("`") for part in _split_ids(cells[0])]
        if not ids or not all(ID_PATTERN.match(i) for i in ids):
            continue
        status = cells[2].strip("*").strip().lower()
        if status not in CLASSES:
            raise AuditError(f"{ids[0]}: classification {cells[2]!r} is not one of {CLASSES}")
        for advisory_id in ids:
            found[advisory_id] = Classification(status, cells[3] if len(cells) > 3 else "")
    return found


def classify(advisory: Advisory, table: dict[str, Classification]) -> Classification | None:
    for advisory_id in advisory.ids:
        if advisory_id in table:
            return table[advisory_id]
    return None


def audit(
    pins: dict[str, str], advisories: Iterable[Advisory], table: dict[str, Classification]
) -> list[Finding]:
    """The advisories that affect a pinned version, in lock order then list order."""
    findings = []
    for advisory in advisories:
        version = pins.get(advisory.package)
        if version is not None and advisory.affects(version):
            findings.append(Finding(advisory.package, version, advisory, classify(advisory, table)))
    order = {name: i for i, name in enumerate(pins)}
    return sorted(findings, key=lambda f: order[f.package])
