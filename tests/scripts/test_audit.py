"""scripts/audit.py on made-up lock, advisory and SECURITY files (no network)."""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.request
from pathlib import Path

import pytest

from scripts import audit

LOCK = """\
# a comment
Foo-Bar==1.2.0
baz==2.12.0
qux==0.9
"""

ADVISORIES = """\
# compiled: 2026-12-01
# sources: made-up database, memory
package,id,aliases,affected,fixed,summary,source
foo_bar,GHSA-aaaa-bbbb-cccc,CVE-2026-0001 PYSEC-2026-1,<1.3,1.3,"Parser smuggling, server only",db
foo-bar,CVE-2026-0002,,>=2.0,2.1,Not our version,db
baz,GHSA-dddd-eeee-ffff,,">=2.0,<2.11.1 || >=2.12.0,<2.12.1",2.12.1,Op crash,db
baz,PYSEC-2026-7,,<2.12.0,2.12.0,Fixed before our pin,db
qux,CVE-2026-0003,,<1.0,1.0,Client leak,unverified (memory)
absent,CVE-2026-0004,,<9,9,Package not pinned,db
"""

SECURITY = """\
# Security

| advisory | package | classification | why / mitigation |
|---|---|---|---|
| `GHSA-aaaa-bbbb-cccc` | foo-bar | not reachable | the server part is not used |
| GHSA-dddd-eeee-ffff | baz | mitigated | inputs are our own model |
| CVE-2026-0003 | qux | reachable | nothing yet |
"""


def _files(tmp_path: Path, security: str = SECURITY, advisories: str = ADVISORIES) -> list[str]:
    (tmp_path / "requirements.lock").write_text(LOCK)
    (tmp_path / "advisories.csv").write_text(advisories)
    (tmp_path / "SECURITY.md").write_text(security)
    return [
        "--lock", str(tmp_path / "requirements.lock"),
        "--advisories", str(tmp_path / "advisories.csv"),
        "--security", str(tmp_path / "SECURITY.md"),
    ]  # fmt: skip


def _offline(request: urllib.request.Request) -> tuple[int, bytes]:
    return 0, b"Could not resolve host"


def test_the_lock_is_read_by_canonical_name() -> None:
    assert audit.parse_lock(LOCK) == {"foo-bar": "1.2.0", "baz": "2.12.0", "qux": "0.9"}
    with pytest.raises(audit.AuditError):
        audit.parse_lock("foo>=1\n")


def test_ranges_with_alternatives_match_only_the_versions_inside() -> None:
    listed = audit.parse_advisories(ADVISORIES)
    assert listed.compiled == "2026-12-01"
    assert listed.sources == "made-up database, memory"
    baz = next(a for a in listed.advisories if a.id == "GHSA-dddd-eeee-ffff")
    assert baz.affects("2.12.0") and baz.affects("2.10.3")
    assert not baz.affects("2.11.1") and not baz.affects("2.12.1") and not baz.affects("2.13")
    foo = listed.advisories[0]
    assert foo.package == "foo-bar" and foo.aliases == ("CVE-2026-0001", "PYSEC-2026-1")


def test_only_advisories_affecting_a_pin_are_found_each_with_its_classification() -> None:
    listed = audit.parse_advisories(ADVISORIES)
    table = audit.parse_classifications(SECURITY)
    findings = audit.audit(audit.parse_lock(LOCK), listed.advisories, table)
    assert [(f.package, f.advisory.id, f.status) for f in findings] == [
        ("foo-bar", "GHSA-aaaa-bbbb-cccc", "not reachable"),
        ("baz", "GHSA-dddd-eeee-ffff", "mitigated"),
        ("qux", "CVE-2026-0003", "reachable"),
    ]
    assert [f.fails for f in findings] == [False, False, True]


def test_a_classification_is_found_through_an_alias_and_one_row_may_name_several() -> None:
    table = audit.parse_classifications(
        "| CVE-2026-0001, PYSEC-2026-7 | x | accepted | risk accepted until 2027-01 |\n"
    )
    advisory = audit.Advisory("foo-bar", "GHSA-aaaa-bbbb-cccc", aliases=("CVE-2026-0001",))
    assert audit.classify(advisory, table) == audit.Classification(
        "accepted", "risk accepted until 2027-01"
    )
    assert set(table) == {"CVE-2026-0001", "PYSEC-2026-7"}


def test_an_unknown_classification_word_is_an_error_not_a_pass() -> None:
    with pytest.raises(audit.AuditError, match="classification"):
        audit.parse_classifications("| CVE-2026-0001 | x | fine | - |\n")


def test_a_made_up_id_shape_is_refused() -> None:
    bad = ADVISORIES.replace("CVE-2026-0003", "ADV-3")
    with pytest.raises(audit.AuditError, match="id"):
        audit.parse_advisories(bad)


def test_offline_run_says_so_with_the_date_and_fails_on_the_reachable_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = audit.main(_files(tmp_path), fetch=_offline)
    out = capsys.readouterr().out
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("advisory source: OFFLINE list advisories.csv")
    assert "compiled 2026-12-01" in first and "made-up database, memory" in first
    assert "Could not resolve host" in out
    assert "foo-bar==1.2.0" in out and "NOT REACHABLE: the server part is not used" in out
    assert "CVE-2026-0002" not in out and "PYSEC-2026-7" not in out and "absent" not in out
    assert (
        "audit: 3 advisories on 3 pins: 1 not reachable, 1 mitigated, 0 accepted, "
        "1 reachable without mitigation, 0 unclassified -> FAIL"
    ) in out
    assert "FAIL: qux CVE-2026-0003 is reachable" in out


def test_recording_an_acceptance_makes_it_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    security = SECURITY.replace("| reachable | nothing yet |", "| accepted | client only |")
    assert audit.main(_files(tmp_path, security), fetch=_offline) == 0
    assert capsys.readouterr().out.rstrip().endswith("0 unclassified -> OK")


def test_an_advisory_nobody_classified_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    security = SECURITY.replace("| CVE-2026-0003 | qux | reachable | nothing yet |\n", "")
    assert audit.main(_files(tmp_path, security), fetch=_offline) == 1
    out = capsys.readouterr().out
    assert "UNCLASSIFIED: not in docs/SECURITY.md" in out and "1 unclassified -> FAIL" in out


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    args = _files(tmp_path)
    (tmp_path / "SECURITY.md").unlink()
    assert audit.main(args, fetch=_offline) == 2


def _answer(status: int, body: object) -> audit.Fetch:
    def fetch(request: urllib.request.Request) -> tuple[int, bytes]:
        return status, json.dumps(body).encode()

    return fetch


def test_a_service_counts_as_reachable_only_when_it_serves_advisories() -> None:
    assert audit.probe_pypi(_answer(404, {})) is not None  # the proxy here: no per-version JSON
    assert "no vulnerabilities" in (audit.probe_pypi(_answer(200, {"vulnerabilities": []})) or "")
    assert audit.probe_pypi(_answer(200, {"vulnerabilities": [{"id": "GHSA-x"}]})) is None
    assert audit.probe_osv(_offline) is not None
    assert audit.probe_osv(_answer(200, {"vulns": [{"id": "GHSA-x"}]})) is None


PIP_AUDIT_JSON = {
    "dependencies": [
        {
            "name": "Foo-Bar",
            "version": "1.2.0",
            "vulns": [
                {
                    "id": "PYSEC-2026-1",
                    "fix_versions": ["1.3"],
                    "aliases": ["CVE-2026-0001"],
                    "description": "Long text\nover lines",
                },
                {"id": "GHSA-zzzz-zzzz-zzzz", "aliases": [], "description": "New"},
            ],
        },
        {"name": "baz", "version": "2.12.0", "vulns": []},
    ],
    "fixes": [],
}


def test_pip_audit_findings_take_the_classification_of_the_same_advisory_under_another_id() -> None:
    listed = audit.parse_advisories(ADVISORIES)
    advisories = audit.from_pip_audit(PIP_AUDIT_JSON, listed.advisories)
    findings = audit.audit(
        audit.parse_lock(LOCK), advisories, audit.parse_classifications(SECURITY)
    )
    assert [(f.advisory.id, f.status) for f in findings] == [
        ("PYSEC-2026-1", "not reachable"),  # = GHSA-aaaa-bbbb-cccc in the offline list
        ("GHSA-zzzz-zzzz-zzzz", "unclassified"),
    ]
    assert findings[0].advisory.summary == "Parser smuggling, server only"
    assert "GHSA-aaaa-bbbb-cccc" in findings[0].advisory.aliases


def test_pip_audit_skips_are_noticed() -> None:
    data = {"dependencies": [{"name": "x", "version": "1", "skip_reason": "Dependency not found"}]}
    assert audit.skipped_by_pip_audit(data) == ["x: Dependency not found"]


def test_online_run_uses_pip_audit_and_says_which_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = _files(tmp_path)
    monkeypatch.setattr(audit, "ensure_pip_audit", lambda: tmp_path / "pip-audit")
    monkeypatch.setattr(audit, "run_pip_audit", lambda exe, lock, service: PIP_AUDIT_JSON)
    monkeypatch.setattr(
        audit.subprocess, "run", lambda *a, **k: type("Done", (), {"stdout": "pip-audit 9.9"})()
    )
    ok = _answer(200, {"vulnerabilities": [{"id": "GHSA-x"}]})
    report = audit.build_report("auto", *(Path(a) for a in args[1::2]), fetch=ok)
    assert report.source.startswith("advisory source: ONLINE, pip-audit 9.9 with the pypi service")
    assert [f.status for f in report.findings] == ["not reachable", "unclassified"]


def test_an_online_service_whose_pip_audit_skips_pins_falls_back_to_the_offline_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = _files(tmp_path)
    skipped = {"dependencies": [{"name": "baz", "version": "2.12.0", "skip_reason": "not found"}]}
    monkeypatch.setattr(audit, "ensure_pip_audit", lambda: tmp_path / "pip-audit")
    monkeypatch.setattr(audit, "run_pip_audit", lambda exe, lock, service: skipped)
    ok = _answer(200, {"vulnerabilities": [{"id": "GHSA-x"}], "vulns": [{"id": "GHSA-x"}]})
    paths = [Path(a) for a in args[1::2]]
    report = audit.build_report("auto", *paths, fetch=ok, today=dt.date(2026, 12, 3))
    assert report.source.startswith("advisory source: OFFLINE list")
    assert "2 days ago" in report.source
    assert "skipped 1 pins (first: baz: not found)" in report.source
    buffer = io.StringIO()
    audit.render(report, buffer)
    assert "-> FAIL" in buffer.getvalue()
