"""scripts/evaluate/__main__.py: skipping without data, and CI=true refusing to skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.evaluate import __main__ as cli


def test_no_data_folder_skips_even_under_ci(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CI", "true")
    assert cli.main(["--guard", "--data", str(tmp_path / "absent")]) == 0
    assert "evaluation skipped" in capsys.readouterr().out


def test_no_model_fails_the_guard_under_ci(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(cli, "MODEL", tmp_path / "missing.tar.gz")
    assert cli.main(["--guard", "--data", str(tmp_path)]) == 1
    assert "CI=true requires the evaluation" in capsys.readouterr().out


@pytest.mark.parametrize("guard", [True, False])
def test_no_model_and_no_data_rows_skip_each_row(tmp_path: Path, monkeypatch, capsys,
                                                 guard: bool) -> None:  # fmt: skip
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(cli, "MODEL", tmp_path / "missing.tar.gz")
    monkeypatch.setattr(cli, "OUT", tmp_path / "out")
    out_file = tmp_path / "EVALUATION.md"
    args = ["--data", str(tmp_path), *(["--guard"] if guard else ["--write", str(out_file)])]
    assert cli.main(args) == 0
    printed = capsys.readouterr().out
    assert printed.count("skipped:") == 6  # intents, 2 time corpora, turns, dialogues + model
    assert guard or "skipped:" in out_file.read_text()


def test_snapshot_copies_a_readable_model(tmp_path: Path) -> None:
    import tarfile

    model = tmp_path / "m.tar.gz"
    with tarfile.open(model, "w:gz") as tar:
        tar.add(__file__, arcname="x.py")
    copy = cli.snapshot(model, tmp_path / "out")
    assert copy is not None and copy.read_bytes() == model.read_bytes()
    assert cli.snapshot(tmp_path / "none.tar.gz", tmp_path / "out") is None
