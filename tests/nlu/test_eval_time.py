import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import eval_time

REF = "2013-02-12T04:30:00-02:00"
CT_REF = "2018-03-07T12:43:00+00:00"


def _write(path: Path, lines: list[dict]) -> None:
    path.write_text("\n".join(map(json.dumps, lines)))


def _duckling_corpus(tmp_path: Path) -> Path:
    time_lines = [
        {"text": "tomorrow", "reftime": REF, "dim": "time", "latent": False,
         "expected": {"type": "value", "grain": "day", "value": "2013-02-13T00:00:00.000-02:00"}},
        {"text": "laughing out loud", "reftime": REF, "dim": "time", "expected": None},
        {"text": "march", "reftime": REF, "dim": "time", "latent": False,
         "expected": {"type": "value", "grain": "month", "value": "2013-03-01T00:00:00.000-02:00"}},
    ]  # fmt: skip
    dur = {"value": 2, "unit": "minute", "normalized_seconds": 120}
    dur_lines = [{"text": "2 mins", "reftime": REF, "dim": "duration", "expected": dur}]
    _write(tmp_path / "time_en.jsonl", time_lines)
    _write(tmp_path / "duration_en.jsonl", dur_lines)
    return tmp_path


def _ct(text: str, type_: str, start: str, end: str | None, grain: str, lang: str = "en",
        pod: str | None = None) -> dict:  # fmt: skip
    return {"text": text, "reftime": CT_REF, "lang": lang, "latent": False, "pod": pod,
            "expected": {"type": type_, "start": start, "end": end, "grain": grain}}  # fmt: skip


def test_category_filter():
    base = {"reftime": REF, "latent": False, "dim": "time"}
    day = {**base, "text": "tomorrow", "expected": {"type": "value", "grain": "day"}}
    xmas = {
        **base,
        "text": "christmas",
        "expected": {"type": "value", "grain": "day", "holiday": "Christmas"},
    }
    month = {**base, "text": "march", "expected": {"type": "value", "grain": "month"}}
    assert eval_time.category(day) == "day"
    assert eval_time.category(xmas) is None
    assert eval_time.category(month) is None
    assert eval_time.category({**base, "text": "x", "expected": None}) == "negatives"


def test_judge_interval_and_value():
    line = {
        "text": "3-4pm",
        "dim": "time",
        "expected": {
            "type": "interval",
            "grain": "hour",
            "interval": ["2013-02-12T15:00:00.000-02:00", "2013-02-12T17:00:00.000-02:00"],
        },
    }
    ent = {"entity": "time", "start": 0, "end": 5, "value": "2013-02-12T15:00:00.000-02:00",
           "additional_info": {"type": "interval", "from": "2013-02-12T15:00:00.000-02:00",
                               "to": "2013-02-12T17:00:00.000-02:00"}}  # fmt: skip
    assert eval_time.judge(line, [ent])
    assert not eval_time.judge(line, [])


def test_score_duckling_counts_scored_lines(tmp_path):
    score = eval_time.score_duckling(_duckling_corpus(tmp_path))
    assert (score.correct, score.total) == (3, 3)  # the month line is not booking-relevant
    assert score.by_category == {"day": (1, 1), "negatives": (1, 1), "durations": (1, 1)}
    assert score.share(eval_time.DUCKLING_TIME_CATEGORIES) == (1, 1)
    assert score.failures == [] and score.median_ms >= 0


def test_score_duckling_missing_corpus_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        eval_time.score_duckling(tmp_path)


def test_score_ctparse_en_scored_neutral_apart(tmp_path):
    lines = [
        _ct("tomorrow", "value", "2018-03-08T00:00:00+00:00", None, "day"),
        _ct("tomorrow at 7.25 pm", "value", "2018-03-08T19:25:00+00:00", None, "minute"),
        # the inclusive end minute (15:35) is accepted for the exclusive 15:36
        _ct("Nov 13 1:30 PM - 3:35 PM", "interval", "2018-11-13T13:30:00+00:00",
            "2018-11-13T15:36:00+00:00", "minute"),
        _ct("after 3pm", "interval", "2018-03-07T15:00:00+00:00", None, "minute"),
        _ct("5/8", "value", "2018-05-08T00:00:00+00:00", None, "day", lang="neutral"),
        _ct("laughing", "value", "2018-05-08T00:00:00+00:00", None, "day"),
    ]  # fmt: skip
    _write(tmp_path / "corpus.jsonl", lines)
    score = eval_time.score_ctparse(tmp_path)
    assert (score.correct, score.total) == (4, 5)
    assert score.by_category["day"] == (1, 2)
    assert score.by_category["open intervals"] == (1, 1)
    assert score.unscored == {"neutral": (1, 1)}  # month-first, as ctparse reads slashes
    assert [f["text"] for f in score.failures] == ["laughing"]
    assert 0 < score.accuracy < 1


def test_cli_missing_corpora_skip(tmp_path, capsys):
    assert eval_time.main([str(tmp_path), "--ctparse", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "skip: Duckling corpus not found" in out and "skip: ctparse corpus not found" in out


def test_cli_small_corpora_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(eval_time, "FAILURES", tmp_path / "var" / "f.jsonl")
    monkeypatch.setattr(eval_time, "CTPARSE_FAILURES", tmp_path / "var" / "c.jsonl")
    (tmp_path / "d").mkdir()
    (tmp_path / "c").mkdir()
    corpus = _duckling_corpus(tmp_path / "d")
    _write(tmp_path / "c" / "corpus.jsonl",
           [_ct("tomorrow", "value", "2018-03-08T00:00:00+00:00", None, "day")])  # fmt: skip
    assert eval_time.main([str(corpus), "--ctparse", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "overall             3/3" in out
    assert "total (en)          1/1" in out
    assert (tmp_path / "var" / "c.jsonl").is_file()
