"""`make audit`: the pinned packages' known advisories, each with its classification.

Where the advisories come from, in this order (the output's first line says which was used):
1. pip-audit against requirements.lock, when an advisory service answers: PyPI's JSON API
   (`/pypi/<name>/<version>/json`, its "vulnerabilities") or OSV (api.osv.dev). pip-audit is
   installed on first use into its own virtual environment, .venv-tools/ (never into .venv).
2. Otherwise the offline list docs/advisories.csv, compiled by hand on the date its header
   gives from the sources it names.

Every advisory that affects a pinned version is printed under its pin with the classification
docs/SECURITY.md records for it: `not reachable`, `mitigated`, `accepted` or `reachable`. The
exit status is 1 when one of them is `reachable` (reachable, with no mitigation or acceptance
recorded) or has no classification at all (nobody has looked at it yet), else 0; 2 when an
input cannot be read.

    python scripts/audit.py                 # what `make audit` runs
    python scripts/audit.py --source offline
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from packaging.utils import canonicalize_name

__all__ = ["Advisory", "AuditError", "Classification", "audit", "classify", "main"]

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python scripts/audit.py` without PYTHONPATH

from scripts.advisories import (  # noqa: E402
    CLASSES,
    Advisory,
    AdvisoryList,
    AuditError,
    Classification,
    Report,
    audit,
    classify,
    parse_advisories,
    parse_classifications,
    parse_lock,
)

LOCK = ROOT / "requirements.lock"
ADVISORIES = ROOT / "docs" / "advisories.csv"
SECURITY = ROOT / "docs" / "SECURITY.md"
TOOLS_VENV = ROOT / ".venv-tools"
PIP_AUDIT = "pip-audit==2.10.1"
# A pin with published advisories: a service that answers for it with no "vulnerabilities"
# list (or not at all) is not serving advisory data.
PROBE_PACKAGE, PROBE_VERSION = "aiohttp", "3.9.5"
PYPI_PROBE = f"https://pypi.org/pypi/{PROBE_PACKAGE}/{PROBE_VERSION}/json"
OSV_PROBE = "https://api.osv.dev/v1/query"


def from_pip_audit(data: dict[str, object], known: Sequence[Advisory]) -> list[Advisory]:
    """pip-audit's `--format json` output as advisories; the offline list's aliases join an id
    the service names differently (PYSEC- for GHSA-) to the classification."""
    by_alias = {i: a for a in known for i in a.ids}
    advisories = []
    deps = data.get("dependencies", [])
    for dep in deps if isinstance(deps, list) else []:
        for vuln in dep.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            same = next((by_alias[i] for i in ids if i in by_alias), None)
            aliases = tuple(dict.fromkeys(ids[1:] + (list(same.ids) if same else [])))
            advisories.append(
                Advisory(
                    package=canonicalize_name(dep["name"]),
                    id=vuln["id"],
                    aliases=tuple(a for a in aliases if a != vuln["id"]),
                    fixed=", ".join(vuln.get("fix_versions", [])),
                    summary=(same.summary if same else _first_line(vuln.get("description", ""))),
                    source="pip-audit",
                )
            )
    return advisories


def skipped_by_pip_audit(data: dict[str, object]) -> list[str]:
    deps = data.get("dependencies", [])
    return [
        f"{d['name']}: {d['skip_reason']}"
        for d in (deps if isinstance(deps, list) else [])
        if d.get("skip_reason")
    ]


def _first_line(text: str, limit: int = 110) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


# --- the advisory services -------------------------------------------------------------------

Fetch = Callable[[urllib.request.Request], tuple[int, bytes]]


def _fetch(request: urllib.request.Request) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return 0, str(exc).encode()


def probe_pypi(fetch: Fetch = _fetch) -> str | None:
    """None when PyPI's per-version JSON API serves advisories, else why not."""
    status, body = fetch(urllib.request.Request(PYPI_PROBE))
    if status != 200:
        return f"{PYPI_PROBE} answered {status or body.decode(errors='replace')[:80]}"
    try:
        vulns = json.loads(body).get("vulnerabilities")
    except (ValueError, AttributeError):
        vulns = None
    if not isinstance(vulns, list) or not vulns:
        return f"{PYPI_PROBE} lists no vulnerabilities for a pin that has some"
    return None


def probe_osv(fetch: Fetch = _fetch) -> str | None:
    """None when OSV's query API answers with advisories for the probe pin, else why not."""
    query = {"package": {"name": PROBE_PACKAGE, "ecosystem": "PyPI"}, "version": PROBE_VERSION}
    request = urllib.request.Request(
        OSV_PROBE, data=json.dumps(query).encode(), headers={"Content-Type": "application/json"}
    )
    status, body = fetch(request)
    if status != 200:
        return f"{OSV_PROBE} answered {status or body.decode(errors='replace')[:80]}"
    try:
        vulns = json.loads(body).get("vulns")
    except (ValueError, AttributeError):
        vulns = None
    if not isinstance(vulns, list) or not vulns:
        return f"{OSV_PROBE} returned no advisories for a pin that has some"
    return None


def ensure_pip_audit(venv: Path = TOOLS_VENV) -> Path:
    """.venv-tools/bin/pip-audit, created from PyPI on first use; raises OSError/CalledProcess."""
    exe = venv / "bin" / "pip-audit"
    if exe.exists():
        return exe
    print(f"installing {PIP_AUDIT} into {venv.name}/ (first run) ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", PIP_AUDIT],
        check=True,
    )
    return exe


def run_pip_audit(exe: Path, lock: Path, service: str) -> dict[str, object]:
    """pip-audit's JSON report of the pins (no resolution: the lock is complete)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = [str(exe), "-r", str(lock), "--no-deps", "--disable-pip", "-s", service]
        command += ["--progress-spinner", "off", "-f", "json", "-o", str(out)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
        # 1 means "vulnerabilities found"; anything else without a report is a failure.
        if done.returncode not in (0, 1) or not out.exists():
            raise RuntimeError(_first_line(done.stderr or done.stdout, 300) or "no report")
        data = json.loads(out.read_text())
    return data if isinstance(data, dict) else {}


# --- output ----------------------------------------------------------------------------------


def render(report: Report, out: TextIO | None = None) -> None:
    write = (out or sys.stdout).write
    write(report.source + "\n")
    current = None
    for finding in report.findings:
        if finding.package != current:
            current = finding.package
            write(f"\n{finding.package}=={finding.version}\n")
        a = finding.advisory
        aliases = f" ({', '.join(a.aliases)})" if a.aliases else ""
        fixed = f"; fixed in {a.fixed}" if a.fixed else ""
        write(f"  {a.id}{aliases}: {a.summary}\n")
        write(f"      affected {a.affected_text}{fixed}; source: {a.source or '-'}\n")
        note = finding.classification.note if finding.classification else "not in docs/SECURITY.md"
        flag = "  <-- FAILS the audit" if finding.fails else ""
        write(f"      {finding.status.upper()}: {_first_line(note, 150)}{flag}\n")
    counts = {c: sum(f.status == c for f in report.findings) for c in (*CLASSES, "unclassified")}
    pins = len({f.package for f in report.findings})
    verdict = "FAIL" if report.failing else "OK"
    write(
        f"\naudit: {len(report.findings)} advisories on {pins} pins: "
        f"{counts['not reachable']} not reachable, {counts['mitigated']} mitigated, "
        f"{counts['accepted']} accepted, {counts['reachable']} reachable without mitigation, "
        f"{counts['unclassified']} unclassified -> {verdict}\n"
    )
    for finding in report.failing:
        write(
            f"  {verdict}: {finding.package} {finding.advisory.id} is {finding.status}: upgrade, "
            "or record its mitigation or acceptance in docs/SECURITY.md\n"
        )


def offline_source_line(adv: AdvisoryList, path: Path, why: str, today: dt.date) -> str:
    age = ""
    try:
        days = (today - dt.date.fromisoformat(adv.compiled)).days
        age = f", {days} days ago" if days != 1 else ", 1 day ago"
    except ValueError:
        pass
    return (
        f"advisory source: OFFLINE list {path.name} ({len(adv.advisories)} entries), compiled "
        f"{adv.compiled or 'on an unknown date'}{age}, from: {adv.sources or 'unknown sources'}"
        f"\n  online service not used: {why}"
        "\n  advisories published after the list's sources were read are not in it"
    )


def build_report(
    source: str,
    lock: Path,
    advisories: Path,
    security: Path,
    fetch: Fetch = _fetch,
    today: dt.date | None = None,
) -> Report:
    try:
        pins = parse_lock(lock.read_text())
        offline = parse_advisories(advisories.read_text())
        table = parse_classifications(security.read_text())
    except OSError as exc:
        raise AuditError(str(exc)) from exc
    why = "--source offline"
    if source in ("auto", "pypi", "osv"):
        reasons = []
        for service, probe in (("pypi", probe_pypi), ("osv", probe_osv)):
            if source not in ("auto", service):
                continue
            reason = probe(fetch)
            if reason is None:
                online = _online(service, lock, offline, pins, table)
                if isinstance(online, Report):
                    return online
                reason = online
            reasons.append(f"{service}: {reason}")
        why = "; ".join(reasons)
    line = offline_source_line(offline, advisories, why, today or dt.date.today())
    return Report(line, audit(pins, offline.advisories, table))


def _online(
    service: str,
    lock: Path,
    offline: AdvisoryList,
    pins: dict[str, str],
    table: dict[str, Classification],
) -> Report | str:
    """pip-audit's report through `service`, or why it could not be had."""
    try:
        exe = ensure_pip_audit()
        data = run_pip_audit(exe, lock, service)
    except (OSError, subprocess.SubprocessError, RuntimeError, ValueError) as exc:
        return f"reachable, but pip-audit failed ({_first_line(str(exc), 200)})"
    skipped = skipped_by_pip_audit(data)
    if skipped:
        return f"reachable, but pip-audit skipped {len(skipped)} pins (first: {skipped[0]})"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout
    line = (
        f"advisory source: ONLINE, {version.strip() or 'pip-audit'} with the {service} service "
        f"on {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC"
    )
    return Report(line, audit(pins, from_pip_audit(data, offline.advisories), table))


def main(argv: list[str] | None = None, fetch: Fetch = _fetch) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--source",
        choices=("auto", "pypi", "osv", "offline"),
        default=os.environ.get("AUDIT_SOURCE", "auto"),
        help="auto (default): an online service when one answers, else the offline list",
    )
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--advisories", type=Path, default=ADVISORIES)
    parser.add_argument("--security", type=Path, default=SECURITY)
    args = parser.parse_args(argv)
    try:
        report = build_report(args.source, args.lock, args.advisories, args.security, fetch)
    except AuditError as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    render(report)
    return 1 if report.failing else 0


if __name__ == "__main__":
    sys.exit(main())
